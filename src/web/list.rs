//! The list envelope of SPEC §4: `{"items", "total", "page", "per_page"}`, `page` from 1,
//! `per_page` default 50 and at most 200, oldest first unless `?sort=` says otherwise, `?q=`
//! searching without regard to case in any script.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::PageRequest;
use crate::error::{AppError, FieldError};

pub const DEFAULT_PER_PAGE: i64 = 50;
pub const MAX_PER_PAGE: i64 = 200;

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<i64>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
    /// Case-insensitive search in names (and, for organizers, emails and organizations); at
    /// most 200 characters, no control character.
    #[param(max_length = 200, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub q: Option<String>,
    /// Sort key; prefix with `-` for descending. Each list names the keys it accepts (its
    /// `enum` in the OpenAPI document).
    pub sort: Option<String>,
}

impl ListParams {
    /// Checks the paging members and that `sort` is one of `allowed`.
    pub fn validate(&self, allowed: &[&str]) -> Result<PageRequest, AppError> {
        let mut errors = Vec::new();
        let page = self.page.unwrap_or(1);
        if !(1..=1_000_000).contains(&page) {
            errors.push(FieldError::new("page", "must be between 1 and 1000000"));
        }
        let per_page = self.per_page.unwrap_or(DEFAULT_PER_PAGE);
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            errors.push(FieldError::new(
                "per_page",
                format!("must be between 1 and {MAX_PER_PAGE}"),
            ));
        }
        let sort = match self.sort.as_deref() {
            None => None,
            Some(s) => {
                let (key, desc) = match s.strip_prefix('-') {
                    Some(k) => (k, true),
                    None => (s, false),
                };
                if allowed.contains(&key) {
                    Some((key.to_string(), desc))
                } else {
                    errors.push(FieldError::new(
                        "sort",
                        format!(
                            "must be one of {} (prefix - for descending)",
                            allowed.join(", ")
                        ),
                    ));
                    None
                }
            }
        };
        if let Some(q) = &self.q {
            if q.chars().count() > 200 {
                errors.push(FieldError::new("q", "must be at most 200 characters"));
            } else if q.chars().any(char::is_control) {
                errors.push(FieldError::new("q", "must not hold control characters"));
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        Ok(PageRequest {
            page,
            per_page,
            like: self
                .q
                .as_deref()
                .filter(|q| !q.trim().is_empty())
                .map(crate::domain::like_pattern),
            needle: self
                .q
                .as_deref()
                .map(|q| q.trim().to_lowercase())
                .filter(|q| !q.is_empty()),
            sort,
        })
    }
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, total: i64, req: &PageRequest) -> Self {
        Page {
            items,
            total,
            page: req.page,
            per_page: req.per_page,
        }
    }

    /// Pages a list already in memory (e.g. a published release).
    pub fn from_vec(all: Vec<T>, req: &PageRequest) -> Self {
        let total = all.len() as i64;
        let items = all
            .into_iter()
            .skip(req.offset().max(0) as usize)
            .take(req.per_page as usize)
            .collect();
        Page::new(items, total, req)
    }
}
