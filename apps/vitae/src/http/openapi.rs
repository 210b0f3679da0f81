//! The OpenAPI 3.1 document, generated from the handlers' annotations. Routes are registered
//! only through `routes!`, so no route can be undocumented. The problem responses every
//! operation can give (401, 403, 422, 429, 5xx, ...) are added here, in one place, so they are
//! documented the same way everywhere.

use utoipa::openapi::content::Content;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{ArrayItems, Object, Schema, SchemaType, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApi as Document, Ref, RefOr};
use utoipa::{Modify, OpenApi};

use super::problem::{FieldError, PROBLEM_JSON, Problem};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Vitae",
        description = "Professional profiles, found by meaning and by words.\n\n\
            Every `/v1` request authenticates with `Authorization: Bearer <api key>`. Keys carry scopes: \
            `read` (masked reads and search), `write` (also full reads and changes), `admin` (also \
            operations); each includes the ones before it.\n\n\
            Errors are RFC 9457 `application/problem+json` documents with a stable `code`; validation \
            errors (422) list every invalid field in `errors`.\n\n\
            Optimistic concurrency: writes return an `ETag`; send it back as `If-Match` and a write \
            against a resource that changed meanwhile is refused with 412.\n\n\
            Reads and searches may be served by a read replica a moment behind the latest writes; \
            send `Cache-Control: no-cache` on a read that must see the caller's own writes.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    modifiers(&Security),
    tags(
        (name = "profiles", description = "Profiles: create, read through masks, list, update, soft delete and restore."),
        (name = "experiences", description = "A profile's work history."),
        (name = "skills", description = "A profile's skills; names are unique per profile, ignoring case."),
        (name = "masks", description = "Named views of a profile that choose what an audience sees."),
        (name = "search", description = "Hybrid search: by meaning (embeddings) and by words (full text), fused."),
        (name = "operations", description = "Health, readiness and the search index, for operators."),
    ),
    components(schemas(Problem, FieldError)),
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("vitae_<key id>_<secret>")
                    .description(Some("An API key, as `vitae key create` prints it once."))
                    .build(),
            ),
        );
    }
}

/// A problem response: (status, component name, description, headers as (name, description)).
type ProblemResponse = (&'static str, &'static str, &'static str, &'static [(&'static str, &'static str)]);

/// The problem responses, by status.
const PROBLEMS: &[ProblemResponse] = &[
    ("400", "MalformedRequest", "The request could not be parsed (malformed JSON, bad header)", &[]),
    ("401", "Unauthorized", "No valid API key", &[("WWW-Authenticate", "`Bearer`")]),
    ("403", "Forbidden", "The API key lacks the scope this needs", &[]),
    ("404", "NotFound", "No such resource (or it belongs to another tenant)", &[]),
    (
        "409",
        "Contended",
        "The write kept colliding with concurrent writes to the same profile (`contended`); send it again",
        &[("Retry-After", "Seconds to wait")],
    ),
    ("413", "PayloadTooLarge", "The request body is larger than allowed", &[]),
    ("414", "UriTooLong", "The URL is longer than the service reads", &[]),
    ("415", "UnsupportedMediaType", "The body is not JSON", &[]),
    ("431", "HeadersTooLarge", "The request headers are larger than the service reads", &[]),
    ("422", "ValidationFailed", "Invalid fields; `errors` lists each one", &[]),
    ("429", "RateLimited", "Too many requests for this API key", &[("Retry-After", "Seconds to wait")]),
    ("500", "InternalError", "An internal error (details are logged, never returned)", &[]),
    (
        "503",
        "Unavailable",
        "The database or the embedding provider is unavailable (`unavailable`), every database connection is in use \
         (`busy`), or the request took too long (`timeout`)",
        &[("Retry-After", "Seconds to wait")],
    ),
];

/// Free text may hold any character but control characters (PostgreSQL cannot store NUL, and
/// the others have no place in a profile); prose fields may also hold line breaks and tabs.
const LINE: &str = r"^[^\u0000-\u001F\u007F-\u009F]*$";
const PROSE: &str = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$";
/// A required text is not blank: one visible character at least.
const LINE_NOT_BLANK: &str = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$";
/// Prose with at least one visible character (a job description).
const PROSE_NOT_BLANK: &str = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$";
const PROSE_FIELDS: &[&str] = &["summary", "description", "job"];
/// Lists of labels and the length of each label.
const LABEL_LISTS: &[(&str, usize)] =
    &[("tags", 50), ("experience_tags", 50), ("skill_categories", 100), ("pin", 100), ("drop", 100)];
/// Labels, like other required texts, are 1 to N characters and not blank.
fn label_rules(schema: &mut Schema, max: usize) {
    if let Schema::Object(object) = schema {
        object.min_length = Some(1);
        object.max_length = Some(max);
    }
}

/// States the text rules in every string schema that has no format, enum or pattern of its own:
/// the document then says exactly what the server accepts (so fuzzers and client-side validation
/// agree with it).
fn text_rules(schema: &mut RefOr<Schema>, name: &str) {
    let RefOr::T(schema) = schema else { return };
    match schema {
        Schema::Object(object) => {
            let is_string = match &object.schema_type {
                SchemaType::Type(Type::String) => true,
                SchemaType::Array(types) => types.contains(&Type::String),
                _ => false,
            };
            if is_string && object.format.is_none() && object.enum_values.is_none() && object.pattern.is_none() {
                let required = object.min_length.is_some_and(|m| m > 0);
                let pattern = if PROSE_FIELDS.contains(&name) {
                    if required { PROSE_NOT_BLANK } else { PROSE }
                } else if required {
                    LINE_NOT_BLANK
                } else {
                    LINE
                };
                object.pattern = Some(pattern.to_owned());
            }
            for (property, value) in object.properties.iter_mut() {
                text_rules(value, property);
            }
        }
        Schema::Array(array) => {
            if let ArrayItems::RefOrSchema(items) = &mut array.items {
                if let (Some((_, max)), RefOr::T(item)) = (LABEL_LISTS.iter().find(|(list, _)| *list == name), items.as_mut()) {
                    label_rules(item, *max);
                }
                text_rules(items, name);
            }
        }
        Schema::OneOf(one) => one.items.iter_mut().for_each(|s| text_rules(s, name)),
        Schema::AllOf(all) => all.items.iter_mut().for_each(|s| text_rules(s, name)),
        Schema::AnyOf(any) => any.items.iter_mut().for_each(|s| text_rules(s, name)),
        _ => {}
    }
}

/// The finished document: the routes' operations plus the shared problem responses.
pub fn finish(mut doc: Document) -> Document {
    if let Some(components) = doc.components.as_mut() {
        // Error documents quote what callers sent (escaped); they follow no text rule.
        for (name, schema) in
            components.schemas.iter_mut().filter(|(name, _)| !["Problem", "FieldError"].contains(&name.as_str()))
        {
            text_rules(schema, name);
        }
    }
    let components = doc.components.get_or_insert_with(Default::default);
    for (_, name, description, headers) in PROBLEMS {
        let mut response = ResponseBuilder::new()
            .description(*description)
            .content(PROBLEM_JSON, Content::new(Some(Ref::from_schema_name("Problem"))));
        for (header, about) in *headers {
            let header_spec =
                HeaderBuilder::new().schema(Some(Object::with_type(Type::String))).description(Some(*about)).build();
            response = response.header(*header, header_spec);
        }
        components.responses.insert((*name).to_owned(), RefOr::T(response.build()));
    }

    for (path, item) in doc.paths.paths.iter_mut() {
        let operations = [
            (&mut item.get, false),
            (&mut item.put, true),
            (&mut item.post, true),
            (&mut item.delete, true),
            (&mut item.patch, true),
            (&mut item.head, false),
            (&mut item.options, false),
        ];
        for (operation, writes) in operations {
            let Some(operation) = operation else { continue };
            for parameter in operation.parameters.iter_mut().flatten() {
                let RefOr::T(parameter) = parameter else { continue };
                if parameter.name == "If-Match" {
                    // `*`, or an ETag as this API writes them (absent, not null, when unused).
                    if let Some(RefOr::T(Schema::Object(object))) = parameter.schema.as_mut() {
                        object.schema_type = SchemaType::Type(Type::String);
                        object.pattern = Some(r#"^(\*|"[0-9]{1,9}"|[0-9]{1,9})$"#.to_owned());
                    }
                } else if let Some(schema) = parameter.schema.as_mut() {
                    text_rules(schema, &parameter.name.clone());
                }
            }
            let api = path.starts_with("/v1/");
            let has_body = operation.request_body.is_some();
            let has_path_params = path.contains('{');
            let has_params = operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
            for (status, name, _, _) in PROBLEMS {
                let applies = match *status {
                    "400" => api,
                    "401" | "403" | "414" | "429" | "431" => api,
                    "404" => has_path_params,
                    // Writes to profiles retry collisions themselves; one that keeps colliding is told so.
                    "409" => writes && path.starts_with("/v1/profiles") && !path.ends_with(":import"),
                    "413" | "415" => has_body,
                    "422" => api && (has_body || has_params),
                    "500" => true,
                    "503" => api || path == "/readyz",
                    _ => false,
                };
                if applies && !operation.responses.responses.contains_key(*status) {
                    operation.responses.responses.insert((*status).to_owned(), RefOr::Ref(Ref::from_response_name(*name)));
                }
            }
        }
    }
    doc
}
