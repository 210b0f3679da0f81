drop table if exists vitae.masks;
drop table if exists vitae.skills;
drop table if exists vitae.experiences;
drop table if exists vitae.profiles;
