//! Profile writes that span several tables: creation with nested parts, and the checks that
//! need the database (per-profile limits).

use uuid::Uuid;
use vitae_domain::mask::{MaskFields, ProfileAggregate};
use vitae_domain::profile::{ExperienceFields, ProfileFields, SkillFields, check_skill_names, limits};
use vitae_repository::TenantTx;
use vitae_repository::profiles::{self, Part};

use super::error::{ServiceError, ServiceResult};

/// A whole profile as a caller described it, parsed.
pub struct NewProfile {
    pub fields: ProfileFields,
    pub experiences: Vec<ExperienceFields>,
    pub skills: Vec<SkillFields>,
    pub masks: Vec<MaskFields>,
}

impl NewProfile {
    /// Cross-part rules: unique skill names and mask slugs, at most one default mask. Breaking
    /// one is a conflict between parts (409), like a clash with a stored part.
    pub fn check(&self) -> ServiceResult<()> {
        if let Err(e) = check_skill_names(&self.skills, "skills") {
            let first = e.violations.into_iter().next().map(|v| v.field).unwrap_or_default();
            return Err(ServiceError::conflict(first, "another skill of this profile has this name (case is ignored)"));
        }
        let mut slugs: Vec<&str> = vec![];
        for (i, m) in self.masks.iter().enumerate() {
            if slugs.contains(&m.slug.as_str()) || (!self.has_default() && m.slug == vitae_domain::mask::DEFAULT_SLUG) {
                return Err(ServiceError::conflict(format!("masks[{i}].slug"), "another mask of this profile has this slug"));
            }
            slugs.push(&m.slug);
        }
        if self.masks.iter().filter(|m| m.is_default).count() > 1 {
            return Err(ServiceError::conflict("masks", "at most one mask can be the default"));
        }
        Ok(())
    }

    fn has_default(&self) -> bool {
        self.masks.iter().any(|m| m.is_default)
    }
}

/// Inserts a profile and its parts; a default mask is added unless one is given.
pub async fn insert(tx: &mut TenantTx, new: &NewProfile) -> ServiceResult<ProfileAggregate> {
    new.check()?;
    let profile = profiles::insert_profile(tx, &new.fields).await?;
    insert_parts(tx, profile.id, new).await?;
    Ok(profiles::load_aggregate(tx, profile.id).await?)
}

/// Replaces a profile's fields and all its parts (an import of a profile that exists). Masks
/// are matched by slug and updated in place, so their search documents, and the embeddings of
/// text that did not change, survive a re-import.
pub async fn replace(tx: &mut TenantTx, id: Uuid, new: &NewProfile) -> ServiceResult<ProfileAggregate> {
    new.check()?;
    let current = profiles::lock_profile(tx, id).await?;
    profiles::update_profile(tx, id, &new.fields, false, None).await?;
    if !current.is_active {
        profiles::set_profile_active(tx, id, true, None).await?;
    }
    profiles::delete_experiences_and_skills(tx, id).await?;
    insert_parts(tx, id, new).await?;
    Ok(profiles::load_aggregate(tx, id).await?)
}

/// Inserts experiences and skills; masks are upserted by slug (plus the public default when none
/// of them is the default), and other existing masks removed.
async fn insert_parts(tx: &mut TenantTx, profile_id: Uuid, new: &NewProfile) -> ServiceResult<()> {
    for e in &new.experiences {
        profiles::insert_experience(tx, profile_id, e).await?;
    }
    for s in &new.skills {
        profiles::insert_skill(tx, profile_id, s).await?;
    }
    let mut wanted: Vec<MaskFields> = new.masks.clone();
    if !new.has_default() {
        wanted.insert(0, MaskFields::public_default());
    }
    let existing = profiles::list_masks(tx, profile_id).await?;
    for old in existing.iter().filter(|old| !wanted.iter().any(|m| m.slug == old.slug)) {
        profiles::delete_part(tx, Part::Mask, profile_id, old.id, None).await?;
    }
    // Non-default masks first, so the default is settled last and exactly one remains.
    wanted.sort_by_key(|m| m.is_default);
    for mask in &wanted {
        match existing.iter().find(|old| old.slug == mask.slug) {
            Some(old) => {
                profiles::update_mask(tx, profile_id, old.id, mask, None).await?;
            }
            None => {
                profiles::insert_mask(tx, profile_id, mask).await?;
            }
        }
    }
    Ok(())
}

/// Refuses a new part when the profile already holds as many as allowed.
pub async fn check_room(tx: &mut TenantTx, profile_id: Uuid, part: Part) -> ServiceResult<()> {
    let (max, field) = match part {
        Part::Experience => (limits::EXPERIENCES, "experiences"),
        Part::Skill => (limits::SKILLS, "skills"),
        Part::Mask => (limits::MASKS, "masks"),
    };
    if profiles::count_parts(tx, profile_id, part).await? >= max {
        let violation = vitae_domain::error::Violation::new(field, "count", format!("a profile holds at most {max} {field}"));
        return Err(ServiceError::Invalid(violation.into()));
    }
    Ok(())
}
