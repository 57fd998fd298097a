//! The query-string extractor: like the JSON one, a value that does not fit is 422 naming the
//! parameter (`per_page: invalid digit found in string`), not a bare 400.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::{ready, Ready};
use serde::de::DeserializeOwned;

use crate::error::{AppError, FieldError};

pub struct Query<T>(pub T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, AppError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|err| {
        let field = err.path().to_string();
        let field = if field == "." {
            "query".to_string()
        } else {
            field
        };
        AppError::Validation(vec![FieldError::new(field, err.inner().to_string())])
    })
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse(req.query_string()).map(Query))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::list::ListParams;

    #[test]
    fn names_the_bad_parameter() {
        match parse::<ListParams>("page=2&per_page=abc") {
            Err(AppError::Validation(e)) => assert_eq!(e[0].field, "per_page"),
            other => panic!("{other:?}", other = other.map(|_| ())),
        }
        let ok: ListParams = parse("q=%D9%85%D8%B9%D8%B1%D8%B6&page=3").expect("parses");
        assert_eq!(ok.page, Some(3));
        assert_eq!(ok.q.as_deref(), Some("معرض"));
    }
}
