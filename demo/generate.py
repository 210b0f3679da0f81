#!/usr/bin/env python3
"""Generates Vitae's demo data and its labelled search-evaluation set.

    python3 demo/generate.py        # writes demo/profiles.ndjson and demo/eval.json

Deterministic (seeded), so the committed files are reproducible. Profiles are varied and
realistic: eighteen professions, seniorities, countries, contact details, and masks that hide
contact details or employers. Some facts are planted on purpose so that search quality can be
measured: synonyms and paraphrases that never appear in the data (semantic search must find
them), rare product names, certification codes and unusual surnames (keyword search must find
them), and combinations of both. The evaluation labels come from the generator's ground truth
(a profile's profession, specialty, tools, city), never from running a search.
"""

import json
import random
from pathlib import Path

SEED = 20261122
COUNT = 200
HERE = Path(__file__).resolve().parent

FIRST = ["Amara", "Lukas", "Sofia", "Mateo", "Yuki", "Chen", "Aisha", "Oliver", "Priya", "Jonas", "Elena",
         "Kwame", "Ingrid", "Rafael", "Mei", "Tomasz", "Fatima", "Liam", "Noor", "Hugo", "Zanele", "Arjun",
         "Camille", "Diego", "Hana", "Emil", "Leila", "Marco", "Sanna", "Tariq", "Beatriz", "Jakub", "Ama",
         "Felix", "Ines", "Kenji", "Lucia", "Nikolai", "Olga", "Pedro", "Rania", "Stefan", "Thandiwe", "Victor",
         "Wen", "Yara", "Zoe", "Anders", "Bianca", "Dmitri"]
LAST = ["Schmidt", "Garcia", "Tanaka", "Wang", "Khan", "Smith", "Patel", "Muller", "Rossi", "Mensah", "Larsen",
        "Silva", "Li", "Nowak", "Haddad", "Brown", "Dubois", "Fernandez", "Kim", "Novak", "Osei", "Sato",
        "Johansson", "Moreau", "Costa", "Ivanova", "Kowalski", "Nguyen", "Ahmed", "Becker", "Lopez", "Yilmaz",
        "Hansen", "Martin", "Singh", "Fischer", "Alvarez", "Park", "Jensen", "Romano"]
# Each given to exactly one person: keyword search must find them, a model blurs them.
RARE_SURNAMES = ["Okonkwo", "Przybylski", "Thorvaldsdottir", "Vasquez-Lindqvist", "Abernathy-Quist", "Oyelaran"]

CITIES = [("Berlin", "DE"), ("Munich", "DE"), ("Paris", "FR"), ("Lyon", "FR"), ("London", "GB"),
          ("Manchester", "GB"), ("Madrid", "ES"), ("Barcelona", "ES"), ("Lisbon", "PT"), ("Amsterdam", "NL"),
          ("Stockholm", "SE"), ("Warsaw", "PL"), ("Toronto", "CA"), ("New York", "US"), ("Austin", "US"),
          ("San Francisco", "US"), ("Chicago", "US"), ("Bangalore", "IN"), ("Singapore", "SG"), ("Tokyo", "JP"),
          ("Sydney", "AU"), ("Lagos", "NG"), ("Nairobi", "KE"), ("Sao Paulo", "BR"), ("Mexico City", "MX")]

# A profession: titles by seniority, skills, employers, and phrases for descriptions and summaries.
# Words used by the evaluation's semantic queries (doctor, lawyer, programmer, cook, ...) never
# appear here, so keyword search cannot find those profiles by them.
FAMILIES = {
    "backend": dict(
        titles=["Junior Backend Developer", "Backend Developer", "Software Engineer", "Senior Software Engineer",
                "Staff Engineer", "Principal Engineer"],
        skills=[("Rust", "languages"), ("Go", "languages"), ("Java", "languages"), ("Python", "languages"),
                ("PostgreSQL", "databases"), ("Kafka", "infrastructure"), ("gRPC", "infrastructure"),
                ("Redis", "databases"), ("Distributed systems", "architecture"), ("API design", "architecture")],
        rare=["ClickHouse", "Kdb+", "Apache Flink"],
        orgs=["Northwind Payments", "Quayside Logistics Tech", "Helix Cloud", "Brightline Banking", "Orbital Games"],
        duties=["built the event-driven payment ledger handling {n} million transactions a day",
                "designed REST and gRPC services behind the mobile app",
                "cut p99 latency of the order service from 400 ms to 60 ms",
                "migrated a monolith to services on Kubernetes",
                "owned the PostgreSQL schema and its zero-downtime migrations",
                "mentored {k} engineers and ran the architecture review"],
        summary="Server-side engineer with {y} years of experience building reliable {domain} systems.",
        domains=["payments", "logistics", "gaming", "banking", "e-commerce"],
        tags=["engineering", "backend"]),
    "frontend": dict(
        titles=["Junior Frontend Developer", "Frontend Developer", "Senior Frontend Engineer", "UI Engineering Lead"],
        skills=[("TypeScript", "languages"), ("React", "frameworks"), ("Next.js", "frameworks"), ("CSS", "languages"),
                ("Accessibility", "practices"), ("Web performance", "practices"), ("Storybook", "tools")],
        rare=["SvelteKit", "Qwik"],
        orgs=["Pixelfold", "Helix Cloud", "Brightline Banking", "Lumen Media"],
        duties=["rebuilt the checkout in React and TypeScript, lifting conversion by {n} percent",
                "made the design system meet WCAG 2.2 AA",
                "halved the bundle size and the largest contentful paint",
                "introduced visual regression tests with Storybook"],
        summary="Browser-side engineer with {y} years of experience crafting fast, accessible {domain} interfaces.",
        domains=["media", "banking", "retail", "travel"],
        tags=["engineering", "frontend"]),
    "data": dict(
        titles=["Data Analyst", "Data Scientist", "Senior Data Scientist", "Machine Learning Engineer", "Head of Data"],
        skills=[("Python", "languages"), ("SQL", "languages"), ("Statistics", "methods"), ("PyTorch", "frameworks"),
                ("Spark", "infrastructure"), ("A/B testing", "methods"), ("Forecasting", "methods")],
        rare=["Snowflake", "dbt", "Databricks"],
        orgs=["Lumen Media", "Greenfield Retail", "Northwind Payments", "Atlas Insurance"],
        duties=["built churn models that saved {n} percent of at-risk subscribers",
                "ran the experimentation platform and its A/B test reviews",
                "trained demand forecasting models for {k} thousand products",
                "moved the analytics warehouse to a modern ELT stack"],
        summary="Quantitative practitioner with {y} years of experience turning {domain} data into decisions.",
        domains=["retail", "insurance", "media", "payments"],
        tags=["data", "analytics"]),
    "sre": dict(
        titles=["Systems Administrator", "DevOps Engineer", "Site Reliability Engineer", "Senior SRE",
                "Platform Engineering Lead"],
        skills=[("Kubernetes", "infrastructure"), ("Terraform", "infrastructure"), ("AWS", "cloud"),
                ("Prometheus", "observability"), ("Linux", "systems"), ("Incident management", "practices"),
                ("Ansible", "infrastructure")],
        rare=["Pulumi", "OpenSearch"],
        certs=["CKA Certified Kubernetes Administrator", "AWS SAA-C03 Solutions Architect", "AZ-104 Azure Administrator"],
        orgs=["Helix Cloud", "Orbital Games", "Quayside Logistics Tech", "Brightline Banking"],
        duties=["kept the platform at 99.99 percent availability through on-call rotations",
                "wrote Terraform modules for {k} AWS accounts",
                "cut cloud spend by {n} percent with autoscaling and right-sizing",
                "built the Prometheus and Grafana alerting that woke the right people"],
        summary="Operations engineer with {y} years of experience keeping {domain} platforms up around the clock.",
        domains=["gaming", "logistics", "banking", "SaaS"],
        tags=["engineering", "infrastructure"]),
    "security": dict(
        titles=["SOC Analyst", "Security Analyst", "Penetration Tester", "Security Engineer", "Head of Security"],
        skills=[("Threat modeling", "practices"), ("Incident response", "practices"), ("Burp Suite", "tools"),
                ("SIEM", "tools"), ("Network security", "domains"), ("Cloud security", "domains")],
        rare=["Splunk SOAR", "CrowdStrike Falcon"],
        certs=["CISSP", "OSCP Offensive Security Certified Professional", "CEH"],
        orgs=["Brightline Banking", "Atlas Insurance", "Helix Cloud", "Sentinel Advisory"],
        duties=["ran authorised attack simulations against web applications and networks",
                "led the response to {k} security incidents",
                "built detection rules in the SIEM that cut false positives by {n} percent",
                "ran threat modelling workshops with product teams"],
        summary="Security specialist with {y} years of experience protecting {domain} organisations.",
        domains=["financial", "insurance", "cloud", "public sector"],
        tags=["security"]),
    "nursing": dict(
        titles=["Staff Nurse", "Registered Nurse", "ICU Nurse", "Charge Nurse", "Nurse Practitioner"],
        skills=[("Patient care", "clinical"), ("Triage", "clinical"), ("Ventilator management", "clinical"),
                ("Medication administration", "clinical"), ("Wound care", "clinical"), ("Epic EHR", "tools")],
        rare=["Cerner PowerChart"],
        certs=["ACLS", "CCRN", "BLS"],
        orgs=["St. Mary's Hospital", "Riverside Medical Centre", "Northgate Clinic", "City General Hospital"],
        duties=["cared for up to {d} patients per shift on a busy ward",
                "trained new staff on medication safety",
                "coordinated discharges with families and community teams"],
        duties_by_title={"ICU": ["managed ventilated patients in the intensive care unit",
                                 "titrated sedation and vasopressors for unstable patients",
                                 "cared for one or two critically unstable patients per shift"]},
        summary="Registered nurse with {y} years of clinical experience in {domain} settings.",
        domains=["acute care", "critical care", "emergency", "surgical"],
        tags=["healthcare", "nursing"]),
    "physician": dict(
        titles=["Resident Physician", "General Practitioner", "Emergency Physician", "Cardiologist",
                "Consultant Cardiologist"],
        skills=[("Diagnosis", "clinical"), ("Cardiology", "specialties"), ("Emergency medicine", "specialties"),
                ("Echocardiography", "clinical"), ("Clinical research", "research"), ("Patient communication", "clinical")],
        rare=["Veeva Vault"],
        orgs=["City General Hospital", "Riverside Medical Centre", "Heartwell Institute", "Northgate Clinic"],
        duties=["rotated through medical and surgical wards",
                "presented cases at the weekly grand round",
                "audited discharge summaries for completeness"],
        duties_by_title={
            "Cardiologist": ["treated patients with arrhythmias and heart failure",
                             "ran the cardiac catheterisation list {d} days a week",
                             "led {d} clinical trials on heart failure therapies"],
            "Emergency": ["staffed the emergency department night shifts",
                          "led resuscitations of trauma patients",
                          "cut waiting times in the department by {n} percent"],
            "General": ["ran a list of {k} hundred registered patients",
                        "managed chronic conditions such as diabetes and asthma",
                        "led the practice's vaccination campaign"],
        },
        summary="Medical practitioner with {y} years of experience in {domain}.",
        domains=["cardiology", "emergency medicine", "general practice", "internal medicine"],
        tags=["healthcare", "medicine"]),
    "chef": dict(
        titles=["Commis", "Line Cook", "Sous Chef", "Pastry Chef", "Head Chef", "Executive Chef"],
        skills=[("French cuisine", "cuisine"), ("Viennoiserie", "pastry"), ("Laminated doughs", "pastry"),
                ("Chocolate work", "pastry"), ("Menu design", "management"), ("HACCP food safety", "compliance"),
                ("Kitchen management", "management")],
        rare=["Pacojet"],
        orgs=["Le Petit Four", "Maison Dorée", "The Copper Pot", "Hotel Belvedere"],
        duties=["created a seasonal tasting menu that earned a Michelin star",
                "cut food waste by {n} percent with better ordering",
                "trained a brigade of {d} commis"],
        duties_by_title={"Pastry": ["ran the pastry section producing {k} hundred viennoiseries every morning",
                                    "developed plated desserts and chocolate showpieces",
                                    "laminated doughs by hand for the morning bake"]},
        summary="Culinary professional with {y} years in {domain} kitchens.",
        domains=["fine dining", "hotel", "bistro", "patisserie"],
        tags=["hospitality", "culinary"]),
    "finance": dict(
        titles=["Financial Analyst", "Investment Analyst", "Associate", "Portfolio Manager", "Investment Director"],
        skills=[("Financial modelling", "analysis"), ("Valuation", "analysis"), ("Excel", "tools"),
                ("Bloomberg Terminal", "tools"), ("Equity research", "analysis"), ("Risk management", "analysis")],
        rare=["Murex", "Temenos T24"],
        certs=["CFA Level III", "FRM"],
        orgs=["Granite Capital", "Harbour Asset Management", "Brightline Banking", "Atlas Insurance"],
        duties=["managed a {n} million euro equity portfolio",
                "built discounted cash flow models for mid-cap companies",
                "covered European industrials with buy and sell recommendations",
                "ran the monthly risk report for the investment committee"],
        summary="Investment professional with {y} years of experience in {domain}.",
        domains=["asset management", "equity research", "banking", "insurance"],
        tags=["finance"]),
    "accounting": dict(
        titles=["Accounts Assistant", "Accountant", "Senior Auditor", "Financial Controller"],
        skills=[("IFRS", "standards"), ("US GAAP", "standards"), ("Audit", "practices"), ("Month-end close", "practices"),
                ("Tax compliance", "practices"), ("Excel", "tools")],
        rare=["SAP S/4HANA", "Guidewire"],
        certs=["CPA", "ACCA"],
        orgs=["Kessler & Partner", "Greenfield Retail", "Atlas Insurance", "Quayside Logistics"],
        duties=["ran the month-end close for {k} legal entities",
                "audited the financial statements of listed clients",
                "implemented the new general ledger",
                "prepared the group's IFRS consolidation"],
        summary="Finance professional with {y} years of experience keeping {domain} books in order.",
        domains=["retail", "insurance", "logistics", "manufacturing"],
        tags=["finance", "accounting"]),
    "legal": dict(
        titles=["Paralegal", "Associate", "Senior Associate", "Corporate Counsel", "Partner"],
        skills=[("Contract drafting", "practice"), ("Mergers and acquisitions", "practice"), ("Litigation", "practice"),
                ("GDPR compliance", "regulation"), ("Employment law", "practice"), ("Due diligence", "practice")],
        rare=["Relativity eDiscovery"],
        orgs=["Whitmore & Hale LLP", "Kessler & Partner", "Granite Capital", "Helix Cloud"],
        duties=["negotiated supplier and licence agreements",
                "represented clients in commercial disputes",
                "ran the GDPR programme for the group",
                "advised on employment contracts and dismissals"],
        duties_by_title={"Associate": ["advised on {d} cross-border acquisitions", "ran due diligence data rooms"],
                         "Partner": ["led the M&A practice's largest mandates", "advised boards on contested bids"]},
        summary="Legal professional with {y} years of experience in {domain}.",
        domains=["corporate transactions", "commercial disputes", "data protection", "employment matters"],
        tags=["legal"]),
    "teaching": dict(
        titles=["Teaching Assistant", "Primary School Teacher", "Mathematics Teacher", "Head of Mathematics", "Lecturer"],
        skills=[("Curriculum design", "teaching"), ("Classroom management", "teaching"), ("Mathematics", "subjects"),
                ("STEM education", "subjects"), ("Special educational needs", "teaching"), ("Assessment", "teaching")],
        rare=["Desmos"],
        orgs=["Oakfield Primary School", "Riverside Academy", "Northgate College", "St. Anne's School"],
        duties=["supported pupils with special educational needs",
                "ran the after-school robotics club",
                "organised parent evenings and reports"],
        duties_by_title={"Mathematics": ["taught mathematics to classes of {k} pupils",
                                         "raised exam pass rates by {n} percent",
                                         "designed a new algebra curriculum"],
                         "Primary": ["taught a class of {k} pupils aged 7 to 11 across the curriculum",
                                     "led numeracy across the school",
                                     "introduced hands-on maths with counters and blocks"]},
        summary="Educator with {y} years of experience in {domain}.",
        domains=["primary schools", "secondary mathematics", "further education"],
        tags=["education"]),
    "design": dict(
        titles=["Junior Designer", "UX Designer", "Product Designer", "Senior Product Designer", "UX Researcher",
                "Design Lead"],
        skills=[("Figma", "tools"), ("User research", "methods"), ("Prototyping", "methods"), ("Design systems", "methods"),
                ("Usability testing", "methods"), ("Interaction design", "methods")],
        rare=["ProtoPie"],
        orgs=["Pixelfold", "Lumen Media", "Helix Cloud", "Greenfield Retail"],
        duties=["redesigned the onboarding flow of the mobile app",
                "ran {k} usability studies a quarter",
                "built the design system used by {k} product teams",
                "turned research insights into a new navigation model"],
        summary="Designer with {y} years of experience shaping {domain} products.",
        domains=["mobile", "SaaS", "retail", "media"],
        tags=["design", "product"]),
    "marketing": dict(
        titles=["Marketing Coordinator", "Content Strategist", "SEO Specialist", "Growth Marketer", "Marketing Manager"],
        skills=[("SEO", "channels"), ("Google Analytics", "tools"), ("Copywriting", "content"), ("HubSpot", "tools"),
                ("Paid social", "channels"), ("Brand strategy", "strategy")],
        rare=["Marketo"],
        orgs=["Lumen Media", "Greenfield Retail", "Pixelfold", "Orbital Games"],
        duties=["grew organic traffic by {n} percent in a year",
                "ran campaigns with a {n} thousand euro monthly budget",
                "wrote the brand's tone of voice guide",
                "built lifecycle email programmes in HubSpot"],
        summary="Marketer with {y} years of experience growing {domain} brands.",
        domains=["consumer", "B2B", "gaming", "retail"],
        tags=["marketing"]),
    "logistics": dict(
        titles=["Warehouse Operative", "Logistics Coordinator", "Warehouse Supervisor", "Supply Chain Analyst",
                "Operations Manager"],
        skills=[("Inventory management", "operations"), ("Route planning", "operations"), ("Forklift operation", "operations"),
                ("Lean", "methods"), ("Demand planning", "operations"), ("SAP", "tools")],
        rare=["Manhattan WMS"],
        orgs=["Quayside Logistics", "Greenfield Retail", "Northwind Freight", "Atlas Distribution"],
        duties=["supervised a team of {k} pickers across two shifts",
                "cut picking errors by {n} percent with barcode scanning",
                "planned delivery routes for {k} vans",
                "ran the annual stock take"],
        summary="Operations professional with {y} years in {domain}.",
        domains=["warehousing", "distribution", "retail supply chains"],
        tags=["operations", "logistics"]),
    "construction": dict(
        titles=["Graduate Engineer", "Civil Engineer", "Structural Engineer", "Site Manager", "Project Director"],
        skills=[("AutoCAD", "tools"), ("Revit", "tools"), ("BIM", "methods"), ("Structural analysis", "engineering"),
                ("Site safety", "compliance"), ("Project management", "management")],
        rare=["Procore", "Tekla Structures"],
        certs=["PMP"],
        orgs=["Arcadia Construction", "Meridian Infrastructure", "Stonebridge Engineering"],
        duties=["designed the deck of a {k} metre road crossing over the river",
                "managed a {n} million euro motorway junction upgrade",
                "ran site safety for {k} subcontractors",
                "modelled the viaduct in Revit and BIM 360"],
        summary="Engineer with {y} years of experience delivering {domain}.",
        domains=["transport infrastructure", "commercial buildings", "public works"],
        tags=["engineering", "construction"]),
    "recruiting": dict(
        titles=["Recruitment Coordinator", "Recruiter", "Technical Recruiter", "Talent Acquisition Lead",
                "HR Business Partner"],
        skills=[("Sourcing", "recruiting"), ("Interviewing", "recruiting"), ("Employer branding", "recruiting"),
                ("Employee relations", "hr"), ("Workday", "tools"), ("Onboarding", "hr")],
        rare=["Greenhouse ATS"],
        orgs=["Helix Cloud", "Pixelfold", "Brightline Banking", "Talentbridge Agency"],
        duties=["hired {k} engineers in a year for a scaling start-up",
                "built the sourcing playbook for hard-to-fill roles",
                "cut time to hire by {n} percent",
                "ran the graduate programme"],
        summary="People professional with {y} years of experience helping {domain} companies grow their teams.",
        domains=["tech", "financial", "agency"],
        tags=["people", "recruiting"]),
    "sales": dict(
        titles=["Sales Development Representative", "Account Executive", "Senior Account Executive",
                "Key Account Manager", "Head of Sales"],
        skills=[("Salesforce", "tools"), ("Negotiation", "selling"), ("B2B SaaS sales", "selling"),
                ("Pipeline management", "selling"), ("Account planning", "selling"), ("Cold outreach", "selling")],
        rare=["Gong"],
        orgs=["Helix Cloud", "Pixelfold", "Atlas Insurance", "Orbital Games"],
        duties=["closed {n} percent above quota for three years running",
                "opened {k} enterprise accounts in the DACH region",
                "ran the renewals for the top fifty customers",
                "built the outbound playbook for new markets"],
        summary="Seller with {y} years of experience in {domain} sales.",
        domains=["SaaS", "insurance", "gaming", "enterprise software"],
        tags=["sales"]),
}

# Planted profiles: specific facts the evaluation relies on (family, title, extras).
PLANTED = [
    dict(family="backend", title="Senior Software Engineer", city=("Berlin", "DE"), skills=["Rust", "PostgreSQL"]),
    dict(family="backend", title="Staff Engineer", city=("Berlin", "DE"), skills=["Rust", "Kafka"]),
    dict(family="backend", title="Software Engineer", city=("Munich", "DE"), skills=["Rust"]),
    dict(family="backend", title="Senior Software Engineer", city=("Lisbon", "PT"), skills=["Rust", "ClickHouse"]),
    dict(family="backend", title="Backend Developer", city=("Austin", "US"), skills=["Kdb+", "Java"]),
    dict(family="data", title="Senior Data Scientist", city=("London", "GB"), skills=["Snowflake", "dbt"]),
    dict(family="data", title="Data Analyst", city=("Toronto", "CA"), skills=["dbt", "SQL"]),
    dict(family="sre", title="Site Reliability Engineer", city=("Amsterdam", "NL"), skills=["CKA Certified Kubernetes Administrator"]),
    dict(family="sre", title="Senior SRE", city=("Stockholm", "SE"), skills=["CKA Certified Kubernetes Administrator", "Pulumi"]),
    dict(family="sre", title="DevOps Engineer", city=("Warsaw", "PL"), skills=["AZ-104 Azure Administrator"]),
    dict(family="security", title="Penetration Tester", city=("London", "GB"), skills=["OSCP Offensive Security Certified Professional"]),
    dict(family="security", title="Security Engineer", city=("New York", "US"), skills=["CISSP"]),
    dict(family="security", title="Penetration Tester", city=("Madrid", "ES"), skills=["Burp Suite"]),
    dict(family="nursing", title="ICU Nurse", city=("Toronto", "CA"), skills=["CCRN", "ACLS", "Ventilator management"]),
    dict(family="nursing", title="ICU Nurse", city=("Manchester", "GB"), skills=["Ventilator management"]),
    dict(family="nursing", title="Charge Nurse", city=("Sydney", "AU"), skills=["Cerner PowerChart"]),
    dict(family="physician", title="Cardiologist", city=("Paris", "FR"), skills=["Cardiology", "Echocardiography"]),
    dict(family="physician", title="Consultant Cardiologist", city=("Chicago", "US"), skills=["Cardiology"]),
    dict(family="physician", title="Emergency Physician", city=("Lagos", "NG"), skills=["Emergency medicine"]),
    dict(family="chef", title="Pastry Chef", city=("Paris", "FR"), skills=["Viennoiserie", "Laminated doughs"]),
    dict(family="chef", title="Pastry Chef", city=("Lyon", "FR"), skills=["Chocolate work", "Viennoiserie"]),
    dict(family="chef", title="Head Chef", city=("Barcelona", "ES"), skills=["Pacojet", "Menu design"]),
    dict(family="finance", title="Portfolio Manager", city=("London", "GB"), skills=["Equity research"]),
    dict(family="finance", title="Portfolio Manager", city=("Singapore", "SG"), skills=["CFA Level III"]),
    dict(family="finance", title="Financial Analyst", city=("New York", "US"), skills=["Murex"]),
    dict(family="finance", title="Associate", city=("Lagos", "NG"), skills=["Temenos T24"]),
    dict(family="accounting", title="Accountant", city=("Nairobi", "KE"), skills=["SAP S/4HANA", "IFRS"]),
    dict(family="accounting", title="Senior Auditor", city=("Chicago", "US"), skills=["Guidewire", "US GAAP"]),
    dict(family="legal", title="Senior Associate", city=("London", "GB"), skills=["Mergers and acquisitions"]),
    dict(family="legal", title="Partner", city=("New York", "US"), skills=["Mergers and acquisitions", "Due diligence"]),
    dict(family="teaching", title="Mathematics Teacher", city=("Manchester", "GB"), skills=["Mathematics"]),
    dict(family="teaching", title="Primary School Teacher", city=("Nairobi", "KE"), skills=["Mathematics", "STEM education"]),
    dict(family="design", title="Product Designer", city=("Amsterdam", "NL"), skills=["Figma", "ProtoPie"]),
    dict(family="logistics", title="Warehouse Supervisor", city=("Warsaw", "PL"), skills=["Forklift operation"]),
    dict(family="logistics", title="Warehouse Supervisor", city=("Sao Paulo", "BR"), skills=["Manhattan WMS"]),
    dict(family="construction", title="Civil Engineer", city=("Sydney", "AU"), skills=["Structural analysis"]),
    dict(family="construction", title="Structural Engineer", city=("Tokyo", "JP"), skills=["Tekla Structures"]),
    dict(family="recruiting", title="Technical Recruiter", city=("Berlin", "DE"), skills=["Sourcing"]),
    dict(family="sales", title="Account Executive", city=("Munich", "DE"), skills=["Salesforce", "Gong"]),
]


def pick(rng, items, k):
    return rng.sample(items, min(k, len(items)))


def experiences_for(rng, family, spec, final_title, years):
    """Career history ending in `final_title` (current role), most recent first."""
    f = FAMILIES[family]
    titles = f["titles"]
    top = titles.index(final_title)
    steps = sorted(set([top] + [max(0, top - d) for d in range(1, rng.randint(1, 3) + 1)]), reverse=True)
    steps = steps[:years]  # at most one role per year of career
    start_year = 2025 - years
    boundaries = sorted(rng.sample(range(start_year + 1, 2025), len(steps) - 1)) if len(steps) > 1 else []
    starts = [start_year] + boundaries
    experiences = []
    for i, level in enumerate(reversed(steps)):
        begin = starts[i]
        end = starts[i + 1] if i + 1 < len(starts) else None
        role = titles[level]
        pool = next((d for key, d in f.get("duties_by_title", {}).items() if key in role), f["duties"])
        duties = pick(rng, pool, 2)
        sentences = [d.format(n=rng.randint(5, 60), k=rng.randint(3, 40), d=rng.randint(2, 5)) for d in duties]
        text = " ".join(x[0].upper() + x[1:] + "." for x in sentences)
        experiences.append(dict(
            title=titles[level],
            organization=rng.choice(f["orgs"]),
            description=text,
            start_date=f"{begin}-{rng.randint(1, 12):02d}-01",
            end_date=None if end is None else f"{end}-{rng.randint(1, 12):02d}-01",
            location=spec["city"][0],
            tags=list(f["tags"]),
        ))
    experiences.reverse()
    return experiences


def make_profile(rng, index, spec, surname):
    family = spec["family"]
    f = FAMILIES[family]
    title = spec.get("title") or rng.choice(f["titles"][1:])
    city, country = spec.get("city") or rng.choice(CITIES)
    spec = dict(spec, city=(city, country))
    first = rng.choice(FIRST)
    name = f"{first} {surname}"
    years = rng.randint(2, 22)
    skills = [s for s in spec.get("skills", [])]
    pool = [s for s, _ in f["skills"] if s not in skills]
    skills += pick(rng, pool, rng.randint(3, 6) - min(len(skills), 2))
    if not spec.get("planted") and rng.random() < 0.15:
        skills.append(rng.choice(f["rare"]))
    if not spec.get("planted") and f.get("certs") and rng.random() < 0.3:
        skills.append(rng.choice(f["certs"]))
    categories = dict(f["skills"])
    skill_objs = []
    for s in dict.fromkeys(skills):
        category = categories.get(s, "certifications" if s in f.get("certs", []) else "tools")
        skill_objs.append(dict(name=s, category=category, level=rng.randint(2, 5), years=rng.randint(1, years)))
    domain = rng.choice(f["domains"])
    summary = f["summary"].format(y=years, domain=domain)
    experiences = experiences_for(rng, family, spec, title, years)
    email = f"{first.lower()}.{surname.lower().replace(' ', '')}@example.com"
    profile = dict(
        external_id=f"demo-{index:03d}",
        display_name=name,
        headline=f"{title} · {domain}",
        summary=summary,
        location=city,
        country=country,
        contact=dict(email=email, phone=f"+{rng.randint(1, 99)} {rng.randint(100, 999)} {rng.randint(1000000, 9999999)}",
                     links=[dict(label="Portfolio", url=f"https://example.com/{first.lower()}-{index}")]),
        tags=list(f["tags"]) + ([rng.choice(["remote", "hybrid", "on-site"])]),
        availability=rng.choice(["open", "open", "not_looking", "open_to_contract"]),
        experiences=experiences,
        skills=skill_objs,
        masks=[],
    )
    roll = rng.random()
    if roll < 0.4:
        profile["masks"].append(dict(name="Recruiters", slug="recruiters", config=dict(hide=["phone"])))
    if roll > 0.8:
        profile["masks"].append(dict(name="Anonymous", slug="anonymous", config=dict(
            hide=["email", "phone", "links", "organizations", "location", "country", "summary"])))
    truth = dict(family=family, title=title, titles=[e["title"] for e in experiences], city=city, country=country,
                 skills=[s["name"] for s in skill_objs], surname=surname)
    return profile, truth


def generate():
    rng = random.Random(SEED)
    specs = [dict(p, planted=True) for p in PLANTED]
    families = list(FAMILIES)
    while len(specs) < COUNT:
        specs.append(dict(family=families[len(specs) % len(families)]))
    rng.shuffle(specs)
    surnames = {}
    rare_slots = rng.sample(range(COUNT), len(RARE_SURNAMES))
    for slot, surname in zip(rare_slots, RARE_SURNAMES):
        surnames[slot] = surname
    profiles, truths = [], []
    for i, spec in enumerate(specs):
        surname = surnames.get(i) or rng.choice(LAST)
        profile, truth = make_profile(rng, i + 1, spec, surname)
        profiles.append(profile)
        truths.append(truth)
    return profiles, truths


def labels(truths, profiles, predicate):
    return [p["external_id"] for p, t in zip(profiles, truths) if predicate(t)]


def evaluation(profiles, truths):
    """Queries with the profiles relevant to each, from ground truth."""
    def fam(name):
        return lambda t: t["family"] == name

    def has(skill):
        return lambda t: any(skill.lower() in s.lower() for s in t["skills"])

    def title(*names):
        return lambda t: t["title"] in names

    def both(*predicates):
        return lambda t: all(p(t) for p in predicates)

    def surname(name):
        return lambda t: t["surname"] == name

    queries = [
        # Semantic: synonyms and paraphrases the data never uses.
        ("semantic", "heart doctor", title("Cardiologist", "Consultant Cardiologist")),
        ("semantic", "lawyer for company takeovers", both(fam("legal"), has("Mergers and acquisitions"))),
        ("semantic", "baker who makes croissants", title("Pastry Chef")),
        ("semantic", "programmer who builds server-side APIs", fam("backend")),
        ("semantic", "someone who keeps servers running and gets paged at night", fam("sre")),
        ("semantic", "ethical hacker", title("Penetration Tester")),
        ("semantic", "bookkeeper", fam("accounting")),
        ("semantic", "headhunter for tech companies", fam("recruiting")),
        ("semantic", "person who teaches children arithmetic", title("Primary School Teacher", "Mathematics Teacher", "Head of Mathematics")),
        ("semantic", "bridge and road builder", title("Civil Engineer", "Structural Engineer", "Project Director")),
        ("semantic", "app interface designer", fam("design")),
        ("semantic", "fund manager who picks stocks", title("Portfolio Manager", "Investment Director")),
        ("semantic", "nurse for critically ill patients on breathing machines", both(fam("nursing"), has("Ventilator management"))),
        ("semantic", "shop floor boss in a distribution centre", title("Warehouse Supervisor", "Operations Manager")),
        ("semantic", "salesperson for software subscriptions", fam("sales")),
        # Keyword: rare product names, certification codes, surnames.
        ("keyword", "Guidewire", has("Guidewire")),
        ("keyword", "Temenos T24", has("Temenos")),
        ("keyword", "Murex", has("Murex")),
        ("keyword", "ClickHouse", has("ClickHouse")),
        ("keyword", "Pulumi", has("Pulumi")),
        ("keyword", "AZ-104", has("AZ-104")),
        ("keyword", "OSCP", has("OSCP")),
        ("keyword", "CCRN", has("CCRN")),
        ("keyword", "Tekla", has("Tekla")),
        ("keyword", "Manhattan WMS", has("Manhattan WMS")),
        ("keyword", "Okonkwo", surname("Okonkwo")),
        ("keyword", "Przybylski", surname("Przybylski")),
        ("keyword", "Thorvaldsdottir", surname("Thorvaldsdottir")),
        # Mixed: a meaning and an exact term together.
        ("mixed", "Rust engineer in Berlin", both(fam("backend"), has("Rust"), lambda t: t["city"] == "Berlin")),
        ("mixed", "pastry chef in France", both(title("Pastry Chef"), lambda t: t["country"] == "FR")),
        ("mixed", "CISSP security engineer", both(fam("security"), has("CISSP"))),
        ("mixed", "Snowflake data scientist", both(fam("data"), has("Snowflake"))),
        ("mixed", "Kubernetes administrator with CKA", has("CKA")),
        ("mixed", "SAP S/4HANA accountant", both(fam("accounting"), has("SAP S/4HANA"))),
        ("mixed", "cardiologist doing echocardiography", both(title("Cardiologist", "Consultant Cardiologist"), has("Echocardiography"))),
    ]
    out = []
    for kind, query, predicate in queries:
        relevant = labels(truths, profiles, predicate)
        assert relevant, f"no relevant profile for {query!r}"
        out.append(dict(query=query, kind=kind, relevant=relevant))
    return out


def main():
    profiles, truths = generate()
    with open(HERE / "profiles.ndjson", "w") as f:
        for p in profiles:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")
    queries = evaluation(profiles, truths)
    with open(HERE / "eval.json", "w") as f:
        json.dump(dict(description="Labelled queries over demo/profiles.ndjson (relevant = external ids), "
                                   "from the generator's ground truth.", queries=queries), f, indent=1)
        f.write("\n")
    print(f"{len(profiles)} profiles, {len(queries)} labelled queries")


if __name__ == "__main__":
    main()
