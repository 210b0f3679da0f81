//! Profiles and their parts: experiences, skills and masks. Every function takes a [`TenantTx`],
//! so row-level security confines it to the request's tenant. Writes to a part bump its profile's
//! version too: the profile's ETag covers everything a full read returns.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use vitae_domain::mask::{MaskConfig, MaskFields, MaskRecord, ProfileAggregate};
use vitae_domain::profile::{
    Availability, Contact, ExperienceFields, ExperienceRecord, ProfileFields, ProfileRecord, SkillFields, SkillRecord,
};
use vitae_domain::slug;

use crate::error::{RepoError, RepoResult};
use crate::tenancy::TenantTx;

macro_rules! profile_columns {
    () => {
        "id, slug, external_id, display_name, headline, summary, location, country, contact, tags, \
         availability, is_active, version, created_at, updated_at"
    };
}
macro_rules! experience_columns {
    () => {
        "id, profile_id, title, organization, description, start_date, end_date, location, tags, version, \
         created_at, updated_at"
    };
}
macro_rules! skill_columns {
    () => {
        "id, profile_id, name, category, level, years, version, created_at, updated_at"
    };
}
macro_rules! mask_columns {
    () => {
        "id, profile_id, slug, name, is_default, config, version, created_at, updated_at"
    };
}

#[derive(sqlx::FromRow)]
struct ProfileRow {
    id: Uuid,
    slug: String,
    external_id: Option<String>,
    display_name: String,
    headline: String,
    summary: String,
    location: String,
    country: Option<String>,
    contact: Json<Contact>,
    tags: Vec<String>,
    availability: String,
    is_active: bool,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<ProfileRow> for ProfileRecord {
    fn from(r: ProfileRow) -> Self {
        Self {
            id: r.id,
            slug: r.slug,
            external_id: r.external_id,
            display_name: r.display_name,
            headline: r.headline,
            summary: r.summary,
            location: r.location,
            country: r.country,
            contact: r.contact.0,
            tags: r.tags,
            // The column's check constraint admits only known values.
            availability: Availability::parse(&r.availability).unwrap_or_default(),
            is_active: r.is_active,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct ExperienceRow {
    id: Uuid,
    profile_id: Uuid,
    title: String,
    organization: String,
    description: String,
    start_date: NaiveDate,
    end_date: Option<NaiveDate>,
    location: String,
    tags: Vec<String>,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<ExperienceRow> for ExperienceRecord {
    fn from(r: ExperienceRow) -> Self {
        Self {
            id: r.id,
            profile_id: r.profile_id,
            title: r.title,
            organization: r.organization,
            description: r.description,
            start_date: r.start_date,
            end_date: r.end_date,
            location: r.location,
            tags: r.tags,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct SkillRow {
    id: Uuid,
    profile_id: Uuid,
    name: String,
    category: String,
    level: Option<i16>,
    years: Option<f32>,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<SkillRow> for SkillRecord {
    fn from(r: SkillRow) -> Self {
        Self {
            id: r.id,
            profile_id: r.profile_id,
            name: r.name,
            category: r.category,
            level: r.level,
            years: r.years,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct MaskRow {
    id: Uuid,
    profile_id: Uuid,
    slug: String,
    name: String,
    is_default: bool,
    config: Json<MaskConfig>,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<MaskRow> for MaskRecord {
    fn from(r: MaskRow) -> Self {
        Self {
            id: r.id,
            profile_id: r.profile_id,
            slug: r.slug,
            name: r.name,
            is_default: r.is_default,
            config: r.config.0,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Filters of the profile list; `None` filters nothing.
#[derive(Debug, Clone, Default)]
pub struct ProfileFilter {
    pub tag: Option<String>,
    pub country: Option<String>,
    /// What `tag` and `country` are compared with: the stored profile, or what a mask shows.
    pub seen_through: SeenThrough,
    pub availability: Option<Availability>,
    pub updated_since: Option<DateTime<Utc>>,
    pub include_inactive: bool,
}

/// Which view of a profile the list filters read. A masked view is read off the mask's search
/// document (written with the profile), so a filter matches only values the caller can see.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SeenThrough {
    /// The stored profile (keys that read the full profile).
    #[default]
    Stored,
    /// The default mask.
    DefaultMask,
    /// The mask with this slug, or the default one where a profile has no such mask (as the
    /// list shows it).
    Mask(String),
}

/// Tries slug candidates until one is free. `on conflict do nothing` keeps the transaction alive
/// when a concurrent writer takes the same slug first; the next candidate is read afresh past
/// the highest taken, spread by a random step that grows with each collision, so dozens of
/// concurrent creators of one name do not queue up behind each other's numbers.
const SLUG_ATTEMPTS: u32 = 40;

pub async fn insert_profile(tx: &mut TenantTx, fields: &ProfileFields) -> RepoResult<ProfileRecord> {
    let base = slug::derive(&fields.display_name, "profile");
    let mut n = next_slug_number(tx, &base, None).await?;
    for attempt in 1..=SLUG_ATTEMPTS {
        let candidate = slug::candidate(&base, n);
        let row = sqlx::query_as::<_, ProfileRow>(concat!(
            "insert into vitae.profiles (tenant_id, id, slug, external_id, display_name, headline, summary, \
               location, country, contact, tags, availability) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             on conflict (tenant_id, slug) do nothing returning ",
            profile_columns!()
        ))
        .bind(tx.tenant_id())
        .bind(Uuid::now_v7())
        .bind(&candidate)
        .bind(&fields.external_id)
        .bind(&fields.display_name)
        .bind(&fields.headline)
        .bind(&fields.summary)
        .bind(&fields.location)
        .bind(&fields.country)
        .bind(Json(&fields.contact))
        .bind(&fields.tags)
        .bind(fields.availability.as_str())
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(row) = row {
            return Ok(row.into());
        }
        n = next_slug_number(tx, &base, None).await?.max(n + 1) + rand::random_range(0..attempt * 4);
    }
    Err(RepoError::Conflict { constraint: "profiles_slug_key".into() })
}

/// The first free number for `base`: 1 when `base` itself is free, else one past the highest
/// `base-N` in use. `except` is ignored (a profile regenerating its own slug).
async fn next_slug_number(tx: &mut TenantTx, base: &str, except: Option<Uuid>) -> RepoResult<u32> {
    let taken: Vec<String> =
        sqlx::query_scalar("select slug from vitae.profiles where (slug = $1 or slug like $2) and id is distinct from $3")
            .bind(base)
            .bind(format!("{}-%", base.replace('%', "\\%").replace('_', "\\_")))
            .bind(except)
            .fetch_all(&mut **tx)
            .await?;
    if !taken.iter().any(|s| s == base) {
        return Ok(1);
    }
    let highest = taken.iter().filter_map(|s| s.strip_prefix(base)?.strip_prefix('-')?.parse::<u32>().ok()).max().unwrap_or(1);
    Ok(highest + 1)
}

pub async fn get_profile(tx: &mut TenantTx, id: Uuid) -> RepoResult<ProfileRecord> {
    sqlx::query_as::<_, ProfileRow>(concat!("select ", profile_columns!(), " from vitae.profiles where id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .map(Into::into)
        .ok_or(RepoError::NotFound)
}

pub async fn get_profile_by_slug(tx: &mut TenantTx, slug: &str) -> RepoResult<ProfileRecord> {
    sqlx::query_as::<_, ProfileRow>(concat!("select ", profile_columns!(), " from vitae.profiles where slug = $1"))
        .bind(slug)
        .fetch_optional(&mut **tx)
        .await?
        .map(Into::into)
        .ok_or(RepoError::NotFound)
}

pub async fn find_profile_by_external_id(tx: &mut TenantTx, external_id: &str) -> RepoResult<Option<ProfileRecord>> {
    Ok(sqlx::query_as::<_, ProfileRow>(concat!("select ", profile_columns!(), " from vitae.profiles where external_id = $1"))
        .bind(external_id)
        .fetch_optional(&mut **tx)
        .await?
        .map(Into::into))
}

/// Profiles in id order (creation order: ids are UUID v7), after `after`, at most `limit`.
pub async fn list_profiles(
    tx: &mut TenantTx,
    filter: &ProfileFilter,
    after: Option<Uuid>,
    limit: i64,
) -> RepoResult<Vec<ProfileRecord>> {
    let rows = sqlx::query_as::<_, ProfileRow>(concat!(
        "select ",
        profile_columns!(),
        " from vitae.profiles p \
         where ($1::uuid is null or p.id > $1) \
           and ($4::text is null or p.availability = $4) \
           and ($5::timestamptz is null or p.updated_at >= $5) \
           and ($6 or p.is_active) \
           and ($2::text is null and $3::text is null \
                or not $8 and ($2::text is null or p.tags @> array[$2]) and ($3::text is null or p.country = $3) \
                or $8 and exists ( \
                  select 1 from vitae.search_documents d \
                  where d.profile_id = p.id \
                    and ($2::text is null or d.tags @> array[$2]) \
                    and ($3::text is null or d.country = $3) \
                    and (d.mask_slug = $9 \
                         or d.is_default and not exists ( \
                           select 1 from vitae.search_documents o where o.profile_id = p.id and o.mask_slug = $9)))) \
         order by p.id limit $7"
    ))
    .bind(after)
    .bind(&filter.tag)
    .bind(&filter.country)
    .bind(filter.availability.map(Availability::as_str))
    .bind(filter.updated_since)
    .bind(filter.include_inactive)
    .bind(limit)
    .bind(filter.seen_through != SeenThrough::Stored)
    .bind(match &filter.seen_through {
        SeenThrough::Mask(slug) => Some(slug.as_str()),
        _ => None,
    })
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Replaces a profile's own fields. The slug stays unless `regenerate_slug`. With
/// `expected_version`, a profile changed since then is refused with `VersionMismatch`.
pub async fn update_profile(
    tx: &mut TenantTx,
    id: Uuid,
    fields: &ProfileFields,
    regenerate_slug: bool,
    expected_version: Option<i32>,
) -> RepoResult<ProfileRecord> {
    let current = get_profile(tx, id).await?;
    check_version(current.version, expected_version)?;
    let slug = if regenerate_slug {
        let base = slug::derive(&fields.display_name, "profile");
        let n = next_slug_number(tx, &base, Some(id)).await?;
        slug::candidate(&base, n)
    } else {
        current.slug
    };
    let row = sqlx::query_as::<_, ProfileRow>(concat!(
        "update vitae.profiles set slug = $2, external_id = $3, display_name = $4, headline = $5, summary = $6, \
           location = $7, country = $8, contact = $9, tags = $10, availability = $11, version = version + 1 \
         where id = $1 returning ",
        profile_columns!()
    ))
    .bind(id)
    .bind(slug)
    .bind(&fields.external_id)
    .bind(&fields.display_name)
    .bind(&fields.headline)
    .bind(&fields.summary)
    .bind(&fields.location)
    .bind(&fields.country)
    .bind(Json(&fields.contact))
    .bind(&fields.tags)
    .bind(fields.availability.as_str())
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.into())
}

/// Soft delete (`false`) or restore (`true`).
pub async fn set_profile_active(
    tx: &mut TenantTx,
    id: Uuid,
    active: bool,
    expected_version: Option<i32>,
) -> RepoResult<ProfileRecord> {
    let current = get_profile(tx, id).await?;
    check_version(current.version, expected_version)?;
    let row = sqlx::query_as::<_, ProfileRow>(concat!(
        "update vitae.profiles set is_active = $2, version = version + 1 where id = $1 returning ",
        profile_columns!()
    ))
    .bind(id)
    .bind(active)
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.into())
}

/// Takes a profile's row lock and bumps its version: a part of it changed. Writers of one profile
/// queue here, so its documents are rebuilt from a consistent view.
pub async fn touch_profile(tx: &mut TenantTx, id: Uuid) -> RepoResult<ProfileRecord> {
    sqlx::query_as::<_, ProfileRow>(concat!(
        "update vitae.profiles set version = version + 1 where id = $1 returning ",
        profile_columns!()
    ))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .map(Into::into)
    .ok_or(RepoError::NotFound)
}

/// Locks a profile for an update without changing it yet (same queueing as `touch_profile`).
pub async fn lock_profile(tx: &mut TenantTx, id: Uuid) -> RepoResult<ProfileRecord> {
    sqlx::query_as::<_, ProfileRow>(concat!("select ", profile_columns!(), " from vitae.profiles where id = $1 for update"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .map(Into::into)
        .ok_or(RepoError::NotFound)
}

fn check_version(current: i32, expected: Option<i32>) -> RepoResult<()> {
    match expected {
        Some(expected) if expected != current => Err(RepoError::VersionMismatch),
        _ => Ok(()),
    }
}

/// A profile with all its parts.
pub async fn load_aggregate(tx: &mut TenantTx, id: Uuid) -> RepoResult<ProfileAggregate> {
    let profile = get_profile(tx, id).await?;
    let mut aggregates = load_parts(tx, vec![profile]).await?;
    aggregates.pop().ok_or(RepoError::NotFound)
}

/// Attaches experiences, skills and masks to profiles: four queries however many profiles.
pub async fn load_parts(tx: &mut TenantTx, profiles: Vec<ProfileRecord>) -> RepoResult<Vec<ProfileAggregate>> {
    let ids: Vec<Uuid> = profiles.iter().map(|p| p.id).collect();
    let experiences: Vec<ExperienceRecord> = sqlx::query_as::<_, ExperienceRow>(concat!(
        "select ",
        experience_columns!(),
        " from vitae.experiences where profile_id = any($1) \
          order by profile_id, end_date desc nulls first, start_date desc, id"
    ))
    .bind(&ids)
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(Into::into)
    .collect();
    let skills: Vec<SkillRecord> = sqlx::query_as::<_, SkillRow>(concat!(
        "select ",
        skill_columns!(),
        " from vitae.skills where profile_id = any($1) order by profile_id, id"
    ))
    .bind(&ids)
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(Into::into)
    .collect();
    let masks: Vec<MaskRecord> = sqlx::query_as::<_, MaskRow>(concat!(
        "select ",
        mask_columns!(),
        " from vitae.masks where profile_id = any($1) order by profile_id, is_default desc, id"
    ))
    .bind(&ids)
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(Into::into)
    .collect();
    Ok(profiles
        .into_iter()
        .map(|profile| ProfileAggregate {
            experiences: experiences.iter().filter(|e| e.profile_id == profile.id).cloned().collect(),
            skills: skills.iter().filter(|s| s.profile_id == profile.id).cloned().collect(),
            masks: masks.iter().filter(|m| m.profile_id == profile.id).cloned().collect(),
            profile,
        })
        .collect())
}

/// How many parts of a kind a profile has (to enforce the per-profile limits).
pub async fn count_parts(tx: &mut TenantTx, profile_id: Uuid, part: Part) -> RepoResult<usize> {
    let sql = match part {
        Part::Experience => "select count(*) from vitae.experiences where profile_id = $1",
        Part::Skill => "select count(*) from vitae.skills where profile_id = $1",
        Part::Mask => "select count(*) from vitae.masks where profile_id = $1",
    };
    let n: i64 = sqlx::query_scalar(sql).bind(profile_id).fetch_one(&mut **tx).await?;
    Ok(usize::try_from(n).unwrap_or(0))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Experience,
    Skill,
    Mask,
}

/// After an update or delete matched no row: was the row missing, or at another version?
async fn missing_or_stale(tx: &mut TenantTx, part: Part, profile_id: Uuid, id: Uuid) -> RepoError {
    let sql = match part {
        Part::Experience => "select exists (select from vitae.experiences where id = $1 and profile_id = $2)",
        Part::Skill => "select exists (select from vitae.skills where id = $1 and profile_id = $2)",
        Part::Mask => "select exists (select from vitae.masks where id = $1 and profile_id = $2)",
    };
    match sqlx::query_scalar::<_, bool>(sql).bind(id).bind(profile_id).fetch_one(&mut **tx).await {
        Ok(true) => RepoError::VersionMismatch,
        Ok(false) => RepoError::NotFound,
        Err(e) => e.into(),
    }
}

pub async fn insert_experience(tx: &mut TenantTx, profile_id: Uuid, f: &ExperienceFields) -> RepoResult<ExperienceRecord> {
    let row = sqlx::query_as::<_, ExperienceRow>(concat!(
        "insert into vitae.experiences (tenant_id, id, profile_id, title, organization, description, start_date, \
           end_date, location, tags) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning ",
        experience_columns!()
    ))
    .bind(tx.tenant_id())
    .bind(Uuid::now_v7())
    .bind(profile_id)
    .bind(&f.title)
    .bind(&f.organization)
    .bind(&f.description)
    .bind(f.start_date)
    .bind(f.end_date)
    .bind(&f.location)
    .bind(&f.tags)
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.into())
}

pub async fn get_experience(tx: &mut TenantTx, profile_id: Uuid, id: Uuid) -> RepoResult<ExperienceRecord> {
    sqlx::query_as::<_, ExperienceRow>(concat!(
        "select ",
        experience_columns!(),
        " from vitae.experiences where id = $1 and profile_id = $2"
    ))
    .bind(id)
    .bind(profile_id)
    .fetch_optional(&mut **tx)
    .await?
    .map(Into::into)
    .ok_or(RepoError::NotFound)
}

pub async fn update_experience(
    tx: &mut TenantTx,
    profile_id: Uuid,
    id: Uuid,
    f: &ExperienceFields,
    expected_version: Option<i32>,
) -> RepoResult<ExperienceRecord> {
    let row = sqlx::query_as::<_, ExperienceRow>(concat!(
        "update vitae.experiences set title = $4, organization = $5, description = $6, start_date = $7, \
           end_date = $8, location = $9, tags = $10, version = version + 1 \
         where id = $1 and profile_id = $2 and ($3::int is null or version = $3) returning ",
        experience_columns!()
    ))
    .bind(id)
    .bind(profile_id)
    .bind(expected_version)
    .bind(&f.title)
    .bind(&f.organization)
    .bind(&f.description)
    .bind(f.start_date)
    .bind(f.end_date)
    .bind(&f.location)
    .bind(&f.tags)
    .fetch_optional(&mut **tx)
    .await?;
    match row {
        Some(row) => Ok(row.into()),
        None => Err(missing_or_stale(tx, Part::Experience, profile_id, id).await),
    }
}

pub async fn delete_part(
    tx: &mut TenantTx,
    part: Part,
    profile_id: Uuid,
    id: Uuid,
    expected_version: Option<i32>,
) -> RepoResult<()> {
    let sql = match part {
        Part::Experience => {
            "delete from vitae.experiences where id = $1 and profile_id = $2 and ($3::int is null or version = $3)"
        }
        Part::Skill => "delete from vitae.skills where id = $1 and profile_id = $2 and ($3::int is null or version = $3)",
        Part::Mask => "delete from vitae.masks where id = $1 and profile_id = $2 and ($3::int is null or version = $3)",
    };
    let deleted = sqlx::query(sql).bind(id).bind(profile_id).bind(expected_version).execute(&mut **tx).await?;
    if deleted.rows_affected() == 0 {
        return Err(missing_or_stale(tx, part, profile_id, id).await);
    }
    Ok(())
}

pub async fn insert_skill(tx: &mut TenantTx, profile_id: Uuid, f: &SkillFields) -> RepoResult<SkillRecord> {
    let row = sqlx::query_as::<_, SkillRow>(concat!(
        "insert into vitae.skills (tenant_id, id, profile_id, name, category, level, years) \
         values ($1, $2, $3, $4, $5, $6, $7) returning ",
        skill_columns!()
    ))
    .bind(tx.tenant_id())
    .bind(Uuid::now_v7())
    .bind(profile_id)
    .bind(&f.name)
    .bind(&f.category)
    .bind(f.level)
    .bind(f.years)
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.into())
}

pub async fn get_skill(tx: &mut TenantTx, profile_id: Uuid, id: Uuid) -> RepoResult<SkillRecord> {
    sqlx::query_as::<_, SkillRow>(concat!("select ", skill_columns!(), " from vitae.skills where id = $1 and profile_id = $2"))
        .bind(id)
        .bind(profile_id)
        .fetch_optional(&mut **tx)
        .await?
        .map(Into::into)
        .ok_or(RepoError::NotFound)
}

pub async fn update_skill(
    tx: &mut TenantTx,
    profile_id: Uuid,
    id: Uuid,
    f: &SkillFields,
    expected_version: Option<i32>,
) -> RepoResult<SkillRecord> {
    let row = sqlx::query_as::<_, SkillRow>(concat!(
        "update vitae.skills set name = $4, category = $5, level = $6, years = $7, version = version + 1 \
         where id = $1 and profile_id = $2 and ($3::int is null or version = $3) returning ",
        skill_columns!()
    ))
    .bind(id)
    .bind(profile_id)
    .bind(expected_version)
    .bind(&f.name)
    .bind(&f.category)
    .bind(f.level)
    .bind(f.years)
    .fetch_optional(&mut **tx)
    .await?;
    match row {
        Some(row) => Ok(row.into()),
        None => Err(missing_or_stale(tx, Part::Skill, profile_id, id).await),
    }
}

pub async fn insert_mask(tx: &mut TenantTx, profile_id: Uuid, f: &MaskFields) -> RepoResult<MaskRecord> {
    if f.is_default {
        clear_default_mask(tx, profile_id).await?;
    }
    let row = sqlx::query_as::<_, MaskRow>(concat!(
        "insert into vitae.masks (tenant_id, id, profile_id, slug, name, is_default, config) \
         values ($1, $2, $3, $4, $5, $6, $7) returning ",
        mask_columns!()
    ))
    .bind(tx.tenant_id())
    .bind(Uuid::now_v7())
    .bind(profile_id)
    .bind(&f.slug)
    .bind(&f.name)
    .bind(f.is_default)
    .bind(Json(&f.config))
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.into())
}

pub async fn get_mask(tx: &mut TenantTx, profile_id: Uuid, id: Uuid) -> RepoResult<MaskRecord> {
    sqlx::query_as::<_, MaskRow>(concat!("select ", mask_columns!(), " from vitae.masks where id = $1 and profile_id = $2"))
        .bind(id)
        .bind(profile_id)
        .fetch_optional(&mut **tx)
        .await?
        .map(Into::into)
        .ok_or(RepoError::NotFound)
}

/// Updates a mask. Making it the default takes the role from the previous default in the same
/// transaction, so a profile has exactly one default at every commit.
pub async fn update_mask(
    tx: &mut TenantTx,
    profile_id: Uuid,
    id: Uuid,
    f: &MaskFields,
    expected_version: Option<i32>,
) -> RepoResult<MaskRecord> {
    let current = get_mask(tx, profile_id, id).await?;
    check_version(current.version, expected_version)?;
    if f.is_default && !current.is_default {
        clear_default_mask(tx, profile_id).await?;
    }
    let row = sqlx::query_as::<_, MaskRow>(concat!(
        "update vitae.masks set slug = $3, name = $4, is_default = $5, config = $6, version = version + 1 \
         where id = $1 and profile_id = $2 returning ",
        mask_columns!()
    ))
    .bind(id)
    .bind(profile_id)
    .bind(&f.slug)
    .bind(&f.name)
    .bind(f.is_default)
    .bind(Json(&f.config))
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.into())
}

async fn clear_default_mask(tx: &mut TenantTx, profile_id: Uuid) -> RepoResult<()> {
    sqlx::query("update vitae.masks set is_default = false, version = version + 1 where profile_id = $1 and is_default")
        .bind(profile_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Deletes every experience and skill of a profile (before an import replaces them).
pub async fn delete_experiences_and_skills(tx: &mut TenantTx, profile_id: Uuid) -> RepoResult<()> {
    for sql in ["delete from vitae.experiences where profile_id = $1", "delete from vitae.skills where profile_id = $1"] {
        sqlx::query(sql).bind(profile_id).execute(&mut **tx).await?;
    }
    Ok(())
}

pub async fn list_masks(tx: &mut TenantTx, profile_id: Uuid) -> RepoResult<Vec<MaskRecord>> {
    Ok(sqlx::query_as::<_, MaskRow>(concat!(
        "select ",
        mask_columns!(),
        " from vitae.masks where profile_id = $1 order by is_default desc, id"
    ))
    .bind(profile_id)
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(Into::into)
    .collect())
}

/// How many profiles the transaction's tenant holds (deleted ones too).
pub async fn count_profiles(tx: &mut TenantTx) -> RepoResult<i64> {
    Ok(sqlx::query_scalar("select count(*) from vitae.profiles").fetch_one(&mut **tx).await?)
}
