//! The OpenAPI 3.1 document, generated from the handlers' annotations. Routes are registered
//! only through `routes!`, so no route can be undocumented. The problem responses every
//! operation can give (401, 403, 422, 429, 5xx, ...) are added here, in one place, so they are
//! documented the same way everywhere.

use utoipa::openapi::content::Content;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{Object, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApi as Document, Ref, RefOr};
use utoipa::{Modify, OpenApi};

use super::problem::{FieldError, Problem, PROBLEM_JSON};

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
            against a resource that changed meanwhile is refused with 412.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    modifiers(&Security),
    tags(
        (name = "profiles", description = "Profiles: create, read through masks, list, update, soft delete and restore."),
        (name = "experiences", description = "A profile's work history."),
        (name = "skills", description = "A profile's skills; names are unique per profile, ignoring case."),
        (name = "masks", description = "Named views of a profile that choose what an audience sees."),
        (name = "operations", description = "Health and readiness for orchestrators."),
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

/// The problem responses, by status: (status, component name, description, headers).
const PROBLEMS: &[(&str, &str, &str, &[(&str, &str)])] = &[
    ("400", "MalformedRequest", "The request could not be parsed (malformed JSON, bad header)", &[]),
    ("401", "Unauthorized", "No valid API key", &[("WWW-Authenticate", "`Bearer`")]),
    ("403", "Forbidden", "The API key lacks the scope this needs", &[]),
    ("404", "NotFound", "No such resource (or it belongs to another tenant)", &[]),
    ("413", "PayloadTooLarge", "The request body is larger than allowed", &[]),
    ("415", "UnsupportedMediaType", "The body is not JSON", &[]),
    ("422", "ValidationFailed", "Invalid fields; `errors` lists each one", &[]),
    ("429", "RateLimited", "Too many requests for this API key", &[("Retry-After", "Seconds to wait")]),
    ("500", "InternalError", "An internal error (details are logged, never returned)", &[]),
    ("503", "Unavailable", "The database or the embedding provider is unavailable, or the request took too long", &[("Retry-After", "Seconds to wait")]),
];

/// The finished document: the routes' operations plus the shared problem responses.
pub fn finish(mut doc: Document) -> Document {
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
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.head,
            &mut item.options,
        ];
        for operation in operations.into_iter().flatten() {
            let api = path.starts_with("/v1/");
            let has_body = operation.request_body.is_some();
            let has_path_params = path.contains('{');
            let has_params = operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
            for (status, name, _, _) in PROBLEMS {
                let applies = match *status {
                    "400" => api,
                    "401" | "403" | "429" => api,
                    "404" => has_path_params,
                    "413" | "415" => has_body,
                    "422" => api && (has_body || has_params),
                    "500" => true,
                    "503" => api || path == "/readyz",
                    _ => false,
                };
                if applies && !operation.responses.responses.contains_key(*status) {
                    operation
                        .responses
                        .responses
                        .insert((*status).to_owned(), RefOr::Ref(Ref::from_response_name(*name)));
                }
            }
        }
    }
    doc
}
