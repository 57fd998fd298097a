//! The console's frame, shared by every area's `console.rs`: who is signed in (the `slc_`
//! session cookie, checked by the state's [`Authenticator`](super::identity::Authenticator)),
//! the language they read the console in, the CSRF token of each form (bound to the session),
//! the role checks, and the page and error rendering in the console's layout
//! (`templates/pages/console/`). Areas bring their pages; this module knows none of them.
//!
//! Language: `?lang=` wins (and is remembered on the organizer's account), then the account's
//! language, then the `lang` cookie, then `Accept-Language`, then English.

use actix_web::dev::Payload;
use actix_web::http::{header, StatusCode};
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use futures_util::future::LocalBoxFuture;
use minijinja::context;

use super::identity::{Organizer, Signed};
use super::pages::{self, html, render};
use super::words::{word, words, Section};
use crate::domain::{Language, Role};
use crate::error::AppError;

/// The session cookie's name; it is sent only to `/console` paths.
pub const COOKIE: &str = "salon_console";

/// Where a browser signs in.
pub const SIGN_IN: &str = "/console/sign-in";

/// A signed-in organizer on a console page, with what every console handler reaches: the
/// app's state and the request.
pub struct Console {
    pub who: Signed,
    pub lang: Language,
    pub state: super::State,
    pub req: HttpRequest,
}

impl Console {
    pub fn organizer(&self) -> &Organizer {
        &self.who.organizer
    }

    /// Whether this organizer's role covers `needed` (controls it does not cover are not shown).
    pub fn can(&self, needed: Role) -> bool {
        self.who.organizer.role.allows(needed)
    }

    /// Runs `f` with a pooled connection ([`crate::db::Db::run`]); an error is a console page.
    pub async fn run<T, F>(&self, f: F) -> Result<T, ConsoleError>
    where
        T: Send + 'static,
        F: FnOnce(&mut crate::db::Conn) -> crate::error::AppResult<T> + Send + 'static,
    {
        self.state.db.run(f).await.map_err(|e| self.error(e))
    }

    /// Runs `f` in a write transaction ([`crate::db::Db::write`]); an error is a console page.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ConsoleError>
    where
        T: Send + 'static,
        F: FnOnce(&mut crate::db::Conn) -> crate::error::AppResult<T> + Send + 'static,
    {
        self.state.db.write(f).await.map_err(|e| self.error(e))
    }

    /// The 403 page unless this organizer's role covers `needed`.
    pub fn require(&self, needed: Role) -> Result<(), ConsoleError> {
        self.who
            .organizer
            .require(needed)
            .map_err(|e| self.error(e))
    }

    /// The CSRF token of a form posting to `action`, valid only in this session.
    pub fn csrf(&self, action: &str) -> String {
        super::csrf::token(
            self.state.settings.server.secret_key.expose(),
            &self.bound(action),
        )
    }

    fn bound(&self, action: &str) -> String {
        format!("console:{}:{action}", self.who.session_id)
    }

    /// The check every console form makes: same site (`Origin`, `Sec-Fetch-Site`), and the
    /// token of this session for `action`. Refused: the 403 page.
    pub fn check_form(&self, action: &str, given: &str) -> Result<(), ConsoleError> {
        if super::csrf::check(&self.req, &self.state.settings, &self.bound(action), given) {
            Ok(())
        } else {
            Err(self.error(AppError::Forbidden(
                "this form could not be verified".into(),
            )))
        }
    }

    /// The words of `?done=<key>` (what the page before this one did), in `section`.
    pub fn done(&self, section: Section) -> Option<String> {
        form_urlencoded::parse(self.req.query_string().as_bytes())
            .find(|(k, _)| k == "done")
            .map(|(_, key)| word(self.lang, section, &key))
            .filter(|w| !w.is_empty())
    }

    /// A page of this console after a write: 303 to `path` (with `?…` or not), in this
    /// language.
    pub fn see_other(&self, path: &str) -> HttpResponse {
        let (path, fragment) = match path.split_once('#') {
            Some((path, fragment)) => (path, format!("#{fragment}")),
            None => (path, String::new()),
        };
        let glue = if path.contains('?') { '&' } else { '?' };
        HttpResponse::SeeOther()
            .insert_header((
                header::LOCATION,
                format!("{path}{glue}lang={}{fragment}", self.lang.code()),
            ))
            .finish()
    }

    /// An error of this page, shown in the console's frame.
    pub fn error(&self, error: AppError) -> ConsoleError {
        ConsoleError(Box::new(Failure {
            error,
            lang: self.lang,
            me: Some(self.me()),
            redirect: None,
        }))
    }

    /// The signed-in organizer as the layout shows them.
    fn me(&self) -> Me {
        Me {
            email: self.who.email.clone(),
            role: self.who.organizer.role,
            sign_out_csrf: self.csrf(SIGN_OUT),
        }
    }

    /// Renders console page `name` with the page's own context: the layout gets the words
    /// (`t`, the console's and `sections`), the signed-in organizer, the language switcher
    /// and the assets.
    pub fn page(
        &self,
        status: StatusCode,
        name: &str,
        sections: &[Section],
        ctx: minijinja::Value,
    ) -> ConsoleReply {
        let mut all = vec![Section::Console];
        all.extend_from_slice(sections);
        let body = render(
            name,
            self.lang,
            words(self.lang, &all),
            context! {
                me => self.me().context(self.lang),
                langs => pages::switcher(&self.req, self.lang),
                here => self.req.path(),
                ..ctx
            },
        )
        .map_err(|e| self.error(e))?;
        Ok(html(status, self.lang, body))
    }
}

/// A list page's tabs by status (`?status=`): their codes, the one shown when none (or an
/// unknown one) is chosen, and where their labels are (`{prefix}{code}` in `section`).
pub struct StatusTabs {
    pub codes: &'static [&'static str],
    pub default: &'static str,
    pub section: Section,
    pub prefix: &'static str,
}

impl StatusTabs {
    /// The chosen tab — `chosen` when it is one of the codes, else the default — and each tab
    /// as the template shows it (label, address under `base`, current).
    pub fn pick(
        &self,
        base: &str,
        lang: Language,
        chosen: Option<&str>,
    ) -> (String, Vec<minijinja::Value>) {
        let current = chosen
            .filter(|c| self.codes.contains(c))
            .unwrap_or(self.default)
            .to_string();
        let tabs = self
            .codes
            .iter()
            .map(|code| {
                context! {
                    label => word(lang, self.section, &format!("{}{code}", self.prefix)),
                    href => format!("{base}?status={code}&lang={}", lang.code()),
                    current => *code == current,
                }
            })
            .collect();
        (current, tabs)
    }
}

/// What a console form's refused write says at the top of its page, with the page's status:
/// 422 and each field's rule in `lang` for bad fields, 409 and the rule's words for a refused
/// step; `None` for any other error (the console's error page).
pub fn refusal(error: &AppError, lang: Language) -> Option<(StatusCode, String)> {
    match error {
        AppError::Validation(errors) => Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            errors
                .iter()
                .map(|f| pages::rule_message(lang, f.rule))
                .collect::<Vec<_>>()
                .join(" "),
        )),
        AppError::Conflict(_) => Some((StatusCode::CONFLICT, error.problem().detail)),
        _ => None,
    }
}

/// Whether the page's script asked for JSON (`Accept: application/json`) rather than a page.
pub fn wants_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"))
}

/// Where the sign-out form posts.
pub const SIGN_OUT: &str = "/console/sign-out";

/// The signed-in organizer in the layout's bar.
#[derive(Debug, Clone)]
struct Me {
    email: String,
    role: Role,
    sign_out_csrf: String,
}

impl Me {
    fn context(&self, lang: Language) -> minijinja::Value {
        context! {
            email => &self.email,
            role => word(lang, Section::Console, &format!("role_{}", self.role)),
            can_edit => self.role.allows(Role::Editor),
            is_admin => self.role.allows(Role::Admin),
            // A door steward (checkin) sees the door and nothing else of a fair.
            can_view => self.role.allows(Role::Viewer),
            can_door => self.role.allows(Role::Checkin),
            sign_out => SIGN_OUT,
            sign_out_csrf => &self.sign_out_csrf,
        }
    }
}

/// The language of a console page for an organizer who may have chosen one.
pub fn console_language(req: &HttpRequest, theirs: Option<Language>) -> Language {
    pages::query_language(req)
        .or(theirs)
        .unwrap_or_else(|| pages::page_language(req, &Language::ALL, Language::En))
}

/// The session token in the request's cookie, if any.
pub fn session_token(req: &HttpRequest) -> Option<String> {
    pages::cookie(req, COOKIE).filter(|t| t.starts_with(crate::domain::CONSOLE_SESSION_PREFIX))
}

/// The `Set-Cookie` value that starts a session (`token`) or ends it (`None`).
pub fn session_cookie(token: Option<&str>, secure: bool, max_age_secs: i64) -> String {
    let secure = if secure { "; Secure" } else { "" };
    match token {
        Some(token) => format!(
            "{COOKIE}={token}; Path=/console; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
        ),
        None => format!("{COOKIE}=; Path=/console; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    }
}

/// Where a browser that is not signed in goes to sign in, coming back to `path` after.
pub fn sign_in_url(req: &HttpRequest, lang: Language) -> String {
    let mut back = req.path().to_string();
    if !req.query_string().is_empty() {
        back = format!("{back}?{}", req.query_string());
    }
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("next", &back)
        .append_pair("lang", lang.code())
        .finish();
    format!("{SIGN_IN}?{query}")
}

/// Only a console page of this site: `/console…`, never `//host`, an absolute URL or a path
/// that climbs out of `/console` (`..`, encoded or not): no open redirect; anything else goes
/// to `/console`.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if (n == "/console" || n.starts_with("/console/") || n.starts_with("/console?"))
                && !n.contains('\\')
                && !n.contains("..")
                && !n.to_ascii_lowercase().contains("%2e")
                && !n.chars().any(char::is_control)
                && !n.starts_with(SIGN_IN) =>
        {
            n.to_string()
        }
        _ => "/console".to_string(),
    }
}

/// The console paths an organizer who must turn two-factor on still reaches: their account
/// (where they turn it on) and the sign-out.
fn open_without_two_factor(path: &str) -> bool {
    path == "/console/account"
        || path.starts_with("/console/account/")
        || path == "/console/sign-out"
}

impl FromRequest for Console {
    type Error = ConsoleError;
    type Future = LocalBoxFuture<'static, Result<Self, ConsoleError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let fallback = console_language(&req, None);
            let state = req
                .app_data::<super::State>()
                .cloned()
                .ok_or_else(|| ConsoleError::bare(AppError::internal("no state"), fallback))?;
            let authenticator = state.authenticator.clone();
            let Some(token) = session_token(&req) else {
                return Err(ConsoleError::sign_in(&req, fallback));
            };
            let chosen = pages::query_language(&req);
            let now = state.clock.now().naive_utc();
            let signed = web::block(move || authenticator.console(&token, chosen, now))
                .await
                .map_err(|e| ConsoleError::bare(e.into(), fallback))?
                .map_err(|e| ConsoleError::bare(e, fallback))?;
            let Some(who) = signed else {
                return Err(ConsoleError::sign_in(&req, fallback));
            };
            let lang = console_language(&req, who.language);
            if who.needs_two_factor && !open_without_two_factor(req.path()) {
                return Err(ConsoleError::redirect(
                    AppError::Forbidden("two-factor sign-in is required".into()),
                    lang,
                    &format!("/console/account?lang={}#two-factor", lang.code()),
                ));
            }
            Ok(Console {
                who,
                lang,
                state,
                req,
            })
        })
    }
}

/// A console form, posted to its own page by a signed-in organizer: the form is read and its
/// token checked against the page's path and this session (a cross-site post, or a token of
/// another session or form, is the 403 page). The handler checks the role.
pub struct Posted {
    pub console: Console,
    pub form: FormFields,
}

impl FromRequest for Posted {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let console = Console::from_request(req, payload);
        let form = web::Form::<FormFields>::from_request(req, payload);
        Box::pin(async move {
            let console = console.await?;
            let form = form.await?.into_inner();
            console.check_form(console.req.path(), &form.csrf())?;
            Ok(Posted { console, form })
        })
    }
}

impl Posted {
    /// The console and the form of an editor (admin or editor); the 403 page for other roles.
    pub fn editor(self) -> Result<(Console, FormFields), ConsoleError> {
        self.console.require(Role::Editor)?;
        Ok((self.console, self.form))
    }
}

/// A console page that could not be shown: a page in the console's frame, or the way to the
/// sign-in page for a browser that is not signed in.
#[derive(Debug)]
pub struct ConsoleError(Box<Failure>);

/// What a console handler answers: the page or redirect, or the console's error page.
pub type ConsoleReply = Result<HttpResponse, ConsoleError>;

#[derive(Debug)]
struct Failure {
    error: AppError,
    lang: Language,
    me: Option<Me>,
    redirect: Option<String>,
}

impl ConsoleError {
    /// An error shown without the signed-in bar (before or without a session).
    pub fn bare(error: AppError, lang: Language) -> ConsoleError {
        ConsoleError(Box::new(Failure {
            error,
            lang,
            me: None,
            redirect: None,
        }))
    }

    /// To the sign-in page, and back here after.
    pub fn sign_in(req: &HttpRequest, lang: Language) -> ConsoleError {
        ConsoleError(Box::new(Failure {
            error: AppError::Unauthorized("sign in first".into()),
            lang,
            me: None,
            redirect: Some(sign_in_url(req, lang)),
        }))
    }

    /// A refusal answered by sending the browser to `to` (303).
    pub fn redirect(error: AppError, lang: Language, to: &str) -> ConsoleError {
        ConsoleError(Box::new(Failure {
            error,
            lang,
            me: None,
            redirect: Some(to.to_string()),
        }))
    }

    /// What went wrong.
    pub fn error(&self) -> &AppError {
        &self.0.error
    }
}

impl std::fmt::Display for ConsoleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.error.fmt(f)
    }
}

impl actix_web::ResponseError for ConsoleError {
    fn status_code(&self) -> StatusCode {
        match self.0.redirect {
            Some(_) => StatusCode::SEE_OTHER,
            None => self.0.error.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Some(to) = &self.0.redirect {
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, to.clone()))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .finish();
        }
        let status = self.status_code();
        if status.is_server_error() {
            // Logged once, by the problem renderer, without showing the cause.
            let _ = self.0.error.error_response();
        }
        let lang = self.0.lang;
        let code = match status.as_u16() {
            code @ (403 | 404 | 409 | 412 | 429) => code.to_string(),
            _ => "default".to_string(),
        };
        let body = render(
            "console/error.html",
            lang,
            words(lang, &[Section::Console]),
            context! {
                status => status.as_u16(),
                title => word(lang, Section::Console, &format!("error_{code}_title")),
                text => word(lang, Section::Console, &format!("error_{code}_text")),
                detail => match &self.0.error {
                    AppError::Conflict(d) | AppError::Forbidden(d) => Some(d.clone()),
                    _ => None,
                },
                me => self.0.me.as_ref().map(|m| m.context(lang)),
            },
        )
        .unwrap_or_else(|_| status.to_string());
        html(status, lang, body)
    }
}

/// A console form as sent: every `name=value` pair in order, so that repeated names
/// (`languages=ar&languages=fr`) and per-language texts (`name[ar]`, `name[fr]`) are read as
/// the API reads the same members.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(transparent)]
pub struct FormFields(pub Vec<(String, String)>);

impl FormFields {
    /// The first value of `name`, trimmed; none when absent or blank.
    pub fn text(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    /// Every non-blank value of `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
            .collect()
    }

    /// The form's CSRF token: the last one sent, so that a button with its own action
    /// (`formaction`) and token (`name="csrf"`) is checked against that action.
    pub fn csrf(&self) -> String {
        self.all("csrf").pop().unwrap_or_default()
    }

    /// A translatable text from `name[ar]`, `name[fr]`, `name[en]` (the blank ones left
    /// out), or from a plain `name`; none when every one is blank.
    pub fn translatable(&self, name: &str) -> Option<crate::domain::Translatable> {
        use crate::domain::Translatable;
        let texts: std::collections::BTreeMap<Language, String> = Language::ALL
            .iter()
            .filter_map(|l| Some((*l, self.text(&format!("{name}[{}]", l.code()))?)))
            .collect();
        if !texts.is_empty() {
            return Some(Translatable::PerLanguage(texts));
        }
        self.text(name).map(Translatable::Same)
    }

    /// A number in `name`: none when blank, `Err` (for the form's errors) when not a number.
    pub fn number<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>, NotANumber> {
        match self.text(name) {
            None => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| NotANumber),
        }
    }
}

/// A form field that should hold a number and does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotANumber;

/// A translatable text as the console's form fields show it: one value per language.
pub fn per_language(
    text: &crate::domain::Translatable,
    langs: &[Language],
) -> std::collections::BTreeMap<&'static str, String> {
    use crate::domain::Translatable;
    langs
        .iter()
        .map(|l| {
            let value = match text {
                Translatable::Same(s) => s.clone(),
                Translatable::PerLanguage(map) => map.get(l).cloned().unwrap_or_default(),
            };
            (l.code(), value)
        })
        .collect()
}

/// A form's errors by field, in the console's language: the rule's words where the rule says
/// it all, else the API's own message (which names what is expected).
pub fn form_errors(
    lang: Language,
    errors: &[crate::domain::FieldError],
) -> std::collections::BTreeMap<String, String> {
    use crate::domain::text::Rule;
    let mut out = std::collections::BTreeMap::new();
    for e in errors {
        let field = e.field.split('.').next().unwrap_or(&e.field).to_string();
        let message = match e.rule {
            Rule::Invalid | Rule::Unknown | Rule::Type | Rule::Choice => e.message.clone(),
            rule => pages::rule_message(lang, rule),
        };
        out.entry(field).or_insert(message);
    }
    out
}
