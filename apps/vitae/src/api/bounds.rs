//! The domain's limits as `validator` wants them (u64), so the boundary checks the same
//! bounds the domain enforces.

use vitae_domain::mask;
use vitae_domain::profile::limits;

pub const NAME_MAX_LEN: u64 = mask::NAME_MAX_LEN as u64;
pub const SLUG_MAX_LEN: u64 = mask::SLUG_MAX_LEN as u64;
pub const CATEGORY: u64 = limits::CATEGORY as u64;
pub const DESCRIPTION: u64 = limits::DESCRIPTION as u64;
pub const DISPLAY_NAME: u64 = limits::DISPLAY_NAME as u64;
pub const EMAIL: u64 = limits::EMAIL as u64;
pub const EXPERIENCES: u64 = limits::EXPERIENCES as u64;
pub const EXTERNAL_ID: u64 = limits::EXTERNAL_ID as u64;
pub const HEADLINE: u64 = limits::HEADLINE as u64;
pub const LINKS: u64 = limits::LINKS as u64;
pub const LINK_LABEL: u64 = limits::LINK_LABEL as u64;
pub const LOCATION: u64 = limits::LOCATION as u64;
pub const MASKS: u64 = limits::MASKS as u64;
pub const ORGANIZATION: u64 = limits::ORGANIZATION as u64;
pub const PHONE: u64 = limits::PHONE as u64;
pub const SKILLS: u64 = limits::SKILLS as u64;
pub const SKILL_NAME: u64 = limits::SKILL_NAME as u64;
pub const SUMMARY: u64 = limits::SUMMARY as u64;
pub const TAG: u64 = limits::TAG as u64;
pub const TAGS: u64 = limits::TAGS as u64;
pub const TITLE: u64 = limits::TITLE as u64;
pub const URL: u64 = limits::URL as u64;

use vitae_domain::search::limits as search;

pub const QUERY: u64 = search::QUERY as u64;
pub const PAGE: u32 = search::PAGE as u32;
pub const CURSOR: u64 = search::CURSOR as u64;
pub const FILTER_VALUES: u64 = search::FILTER_VALUES as u64;
pub const COUNTRIES: u64 = search::COUNTRIES as u64;
pub const FILTER_LIST: u64 = search::FILTER_LIST as u64;
pub const YEARS: f32 = search::YEARS as f32;
pub const JOB_ADJUSTMENTS: u64 = vitae_domain::job::limits::ADJUSTMENTS as u64;
pub const SKILL_LEVEL_MIN: i16 = limits::SKILL_LEVEL_MIN;
pub const SKILL_LEVEL_MAX: i16 = limits::SKILL_LEVEL_MAX;
pub const SKILL_YEARS_MAX: f32 = limits::SKILL_YEARS_MAX;
