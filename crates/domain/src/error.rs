//! Validation failures, each naming the field at fault so the API can say which.

use std::fmt;

/// One invalid value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Path of the field, e.g. `experiences[1].end_date`.
    pub field: String,
    /// Stable code: `required`, `length`, `range`, `format`, `count`, `order`, `unknown_field`, ...
    pub code: &'static str,
    pub message: String,
}

impl Violation {
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self { field: field.into(), code, message: message.into() }
    }

    /// The same violation under a parent path (`skills[2]` + `name` = `skills[2].name`).
    pub fn under(mut self, parent: &str) -> Self {
        self.field = join_path(parent, &self.field);
        self
    }
}

pub fn join_path(parent: &str, child: &str) -> String {
    match (parent.is_empty(), child.is_empty()) {
        (true, _) => child.to_owned(),
        (_, true) => parent.to_owned(),
        _ if child.starts_with('[') => format!("{parent}{child}"),
        _ => format!("{parent}.{child}"),
    }
}

/// Every violation found in one input: callers are told about all of them at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
pub struct ValidationError {
    pub violations: Vec<Violation>,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.violations.iter().map(|v| format!("{}: {}", v.field, v.message)).collect();
        write!(f, "{}", parts.join("; "))
    }
}

impl From<Violation> for ValidationError {
    fn from(violation: Violation) -> Self {
        Self { violations: vec![violation] }
    }
}

impl ValidationError {
    pub fn under(self, parent: &str) -> Self {
        Self { violations: self.violations.into_iter().map(|v| v.under(parent)).collect() }
    }
}

/// Collects violations while parsing several fields, so all are reported together.
#[derive(Debug, Default)]
pub struct Violations(Vec<Violation>);

impl Violations {
    /// Keeps the value, or records why it is invalid.
    pub fn check<T>(&mut self, result: Result<T, Violation>) -> Option<T> {
        result.map_err(|v| self.0.push(v)).ok()
    }

    /// Like `check`, for parsers that report several violations (nested values).
    pub fn check_all<T>(&mut self, result: Result<T, ValidationError>) -> Option<T> {
        result.map_err(|e| self.0.extend(e.violations)).ok()
    }

    pub fn push(&mut self, violation: Violation) {
        self.0.push(violation);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_error(self) -> ValidationError {
        ValidationError { violations: self.0 }
    }

    /// `Ok(())` when nothing was recorded.
    pub fn finish(self) -> Result<(), ValidationError> {
        if self.0.is_empty() { Ok(()) } else { Err(self.into_error()) }
    }
}
