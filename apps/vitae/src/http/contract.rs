//! The OpenAPI document as the boundary rule. Every JSON body is validated against its documented
//! schema before it is deserialised, with the same validator engine (jsonschema) that tools use
//! to judge the API. What the document says is accepted, is; what it says is refused, is; and
//! the two cannot drift apart. (Serde alone, for instance, lets a JSON array stand in for an
//! object.)

use std::collections::HashMap;

use jsonschema::Validator;
use jsonschema::error::ValidationErrorKind;
use serde_json::{Value, json};

use super::problem::FieldError;

pub struct Contract {
    validators: HashMap<String, Validator>,
}

impl Contract {
    /// Compiles a validator for every schema a request body refers to.
    pub fn from_document(document: &utoipa::openapi::OpenApi) -> Result<Self, String> {
        let document = serde_json::to_value(document).map_err(|e| e.to_string())?;
        let components = document.get("components").cloned().unwrap_or_else(|| json!({}));
        let mut validators = HashMap::new();
        for name in request_body_schemas(&document) {
            // A root that refers to the component, carrying the components so `$ref`s resolve.
            let root = json!({"$ref": format!("#/components/schemas/{name}"), "components": components});
            let validator = jsonschema::draft202012::options()
                .should_validate_formats(true)
                .build(&root)
                .map_err(|e| format!("schema {name}: {e}"))?;
            validators.insert(name, validator);
        }
        Ok(Self { validators })
    }

    /// Every way `value` breaks the schema `name`, as field errors (none when it conforms, or
    /// when no body uses that schema).
    pub fn check(&self, name: &str, value: &Value) -> Vec<FieldError> {
        let Some(validator) = self.validators.get(name) else {
            return Vec::new();
        };
        let mut errors: Vec<FieldError> = Vec::new();
        for error in validator.iter_errors(value) {
            let at = field_path(error.instance_path().as_str());
            let (field, code, message) = match error.kind() {
                ValidationErrorKind::Required { property } => {
                    (join(&at, property.as_str().unwrap_or_default()), "required", "is required".to_owned())
                }
                ValidationErrorKind::AdditionalProperties { unexpected } => {
                    for key in unexpected {
                        errors.push(FieldError::new(join(&at, key), "unknown_field", "is not a field of this object"));
                    }
                    continue;
                }
                ValidationErrorKind::MinLength { limit } => (at, "length", format!("must be at least {limit} characters")),
                ValidationErrorKind::MaxLength { limit } => (at, "length", format!("must be at most {limit} characters")),
                ValidationErrorKind::MinItems { limit } => (at, "count", format!("must have at least {limit} items")),
                ValidationErrorKind::MaxItems { limit } => (at, "count", format!("must have at most {limit} items")),
                ValidationErrorKind::Minimum { limit } => (at, "range", format!("must be at least {limit}")),
                ValidationErrorKind::Maximum { limit } => (at, "range", format!("must be at most {limit}")),
                ValidationErrorKind::Pattern { .. } => {
                    (at, "format", "has characters or a form this field does not allow (see the API document)".to_owned())
                }
                ValidationErrorKind::Format { format } => (at, "format", format!("must be a valid {format}")),
                ValidationErrorKind::Enum { .. } => (at, "format", "is not one of the allowed values".to_owned()),
                ValidationErrorKind::Type { kind } => (at, "type", format!("must be of type {}", type_name(kind))),
                ValidationErrorKind::OneOfNotValid { .. } | ValidationErrorKind::AnyOf { .. } => {
                    (at, "format", "is not a valid value".to_owned())
                }
                _ => (at, "invalid", error.to_string().chars().take(200).collect()),
            };
            if !errors.iter().any(|e| e.field == field) {
                errors.push(FieldError::new(field, code, message));
            }
        }
        errors
    }
}

fn type_name(kind: &jsonschema::error::TypeKind) -> String {
    match kind {
        jsonschema::error::TypeKind::Single(t) => t.to_string(),
        jsonschema::error::TypeKind::Multiple(types) => types.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(" or "),
    }
}

/// `/experiences/0/title` → `experiences[0].title`.
fn field_path(pointer: &str) -> String {
    let mut out = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{segment}]"));
        } else {
            out = join(&out, &segment);
        }
    }
    out
}

fn join(parent: &str, child: &str) -> String {
    if parent.is_empty() { child.to_owned() } else { format!("{parent}.{child}") }
}

/// Names of the component schemas request bodies use.
fn request_body_schemas(document: &Value) -> Vec<String> {
    let mut names = Vec::new();
    let paths = document.get("paths").and_then(Value::as_object).into_iter().flatten();
    for (_, item) in paths {
        for (_, operation) in item.as_object().into_iter().flatten() {
            let reference = operation.pointer("/requestBody/content/application~1json/schema/$ref").and_then(Value::as_str);
            if let Some(name) = reference.and_then(|r| r.strip_prefix("#/components/schemas/"))
                && !names.iter().any(|n| n == name)
            {
                names.push(name.to_owned());
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contract() -> Contract {
        Contract::from_document(&crate::http::document()).expect("the document compiles")
    }

    #[test]
    fn pointers_become_field_paths() {
        assert_eq!(field_path("/experiences/0/title"), "experiences[0].title");
        assert_eq!(field_path(""), "");
        assert_eq!(field_path("/contact/links/2/url"), "contact.links[2].url");
    }

    #[test]
    fn every_request_body_schema_has_a_validator() {
        let contract = contract();
        for name in [
            "ProfileCreate",
            "ProfilePatch",
            "ExperienceCreate",
            "ExperiencePatch",
            "SkillCreate",
            "SkillPatch",
            "MaskCreate",
            "MaskPatch",
        ] {
            assert!(contract.validators.contains_key(name), "{name}");
        }
    }

    #[test]
    fn an_array_cannot_stand_in_for_an_object() {
        let errors = contract().check("ProfilePatch", &json!({"contact": [null]}));
        assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), vec!["contact"]);
        let errors = contract().check("ProfileCreate", &json!(["Ada"]));
        assert_eq!(errors[0].code, "type");
    }

    #[test]
    fn conforming_bodies_pass_and_each_fault_is_named() {
        let contract = contract();
        assert!(contract.check("ProfileCreate", &json!({"display_name": "Ada", "country": "DE"})).is_empty());
        let errors = contract.check(
            "ProfileCreate",
            &json!({"display_name": "", "country": "XX", "nickname": 1, "skills": [{"name": "Rust", "level": 9}]}),
        );
        let mut fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        fields.sort_unstable();
        assert_eq!(fields, vec!["country", "display_name", "nickname", "skills[0].level"]);
    }
}
