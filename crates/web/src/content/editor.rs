//! The editors' pages: list, create, edit, preview, files.

use crate::AppState;
use crate::cards::ItemView;
use crate::cards::regions;
use crate::cards::view;
use crate::content::FileView;
use crate::content::file_views;
use crate::form::Pairs;
use crate::layout::{Choice, Layout};
use crate::page::{Page, html};
use crate::session::Ctx;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::content::{
    DOCUMENT_CATEGORIES, Details, Draft, FAQ_PHASES, FAQ_TOPICS, INSPIRATION_THEMES, INSPIRATION_TYPES, Item, Kind,
    PROVINCES, Status,
};
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "content/editor_index.html")]
pub struct EditorIndex {
    pub l: Layout,
    pub items: Vec<(ItemView, String)>,
    pub kinds: Vec<(&'static str, &'static str)>,
    /// (slug, name) of the regions the editor writes for; national first when allowed.
    pub scopes: Vec<(String, String)>,
}

/// The scopes an actor writes for: ("", "Landelijk") and (slug, name) per managed region.
async fn scopes(st: &AppState, ctx: &Ctx) -> Result<Vec<(String, String)>, crate::error::WebError> {
    let mut out = Vec::new();
    if services::content::may_edit(&ctx.actor, None) {
        out.push((String::new(), "Landelijk".to_owned()));
    }
    for r in services::regions::all(&st.app).await? {
        if !r.archived && services::content::may_edit(&ctx.actor, Some(&r.id)) {
            out.push((r.slug, r.name));
        }
    }
    Ok(out)
}

pub async fn editor_index(State(st): State<AppState>, ctx: Ctx) -> Page {
    let scopes = scopes(&st, &ctx).await?;
    if scopes.is_empty() {
        return Err(crate::error::WebError::Forbidden);
    }
    let regions = regions(&st).await?;
    let items = services::content::editable(&st.app, &ctx.actor)
        .await?
        .iter()
        .map(|i| (view(i, &regions), i.id.clone()))
        .collect();
    html(EditorIndex {
        l: Layout::new("Kennisbank bewerken", &ctx, "beheer"),
        items,
        kinds: Kind::ALL.into_iter().map(|k| (k.code(), k.label())).collect(),
        scopes,
    })
}

#[derive(Template)]
#[template(path = "content/edit.html")]
pub struct EditPage {
    pub l: Layout,
    pub kind: Kind,
    pub action: String,
    pub id: Option<String>,
    pub version: i64,
    pub scope: String,
    pub scopes: Vec<(String, String)>,
    pub f: HashMap<String, String>,
    pub topics: Vec<Choice>,
    pub phases: Vec<Choice>,
    pub categories: Vec<Choice>,
    pub types: Vec<Choice>,
    pub themes: Vec<Choice>,
    pub provinces: Vec<Choice>,
    pub errors: Vec<(String, String)>,
    pub preview: Option<ItemView>,
    pub notice: Option<String>,
    pub view_href: Option<String>,
    pub files: Vec<FileView>,
}

impl EditPage {
    pub fn value(&self, name: &str) -> &str {
        self.f.get(name).map(String::as_str).unwrap_or("")
    }

    pub fn error(&self, name: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == name).map(|(_, m)| m.as_str())
    }
}

/// The form's fields of an item.
fn fields(item: &Item) -> HashMap<String, String> {
    let d = &item.draft;
    let mut f: HashMap<String, String> = HashMap::from([
        ("title".into(), d.title.clone()),
        ("summary".into(), d.summary.clone()),
        ("body".into(), d.body.clone()),
        ("status".into(), if d.status == Status::Gepubliceerd { "gepubliceerd" } else { "concept" }.into()),
        ("publish_on".into(), d.publish_on.map(|x| x.to_string()).unwrap_or_default()),
    ]);
    let mut set = |k: &str, v: String| {
        f.insert(k.to_owned(), v);
    };
    match &d.details {
        Details::Nieuws => {}
        Details::Agenda { starts, ends, place, online_url, registration_url } => {
            set("starts", starts.strftime("%Y-%m-%dT%H:%M").to_string());
            set("ends", ends.map(|e| e.strftime("%Y-%m-%dT%H:%M").to_string()).unwrap_or_default());
            set("place", place.clone());
            set("online_url", online_url.clone());
            set("registration_url", registration_url.clone());
        }
        Details::Webinar { date, speakers, recording_url } => {
            set("date", date.to_string());
            set("speakers", speakers.join(", "));
            set("recording_url", recording_url.clone());
        }
        Details::Vraag { topic, phase } => {
            set("topic", topic.clone());
            set("phase", phase.clone());
        }
        Details::Document { category, members_only } => {
            set("category", category.clone());
            set("members_only", if *members_only { "1" } else { "" }.into());
        }
        Details::Inspiratie { kind, theme, province, url } => {
            set("type", kind.clone());
            set("theme", theme.clone());
            set("province", province.clone());
            set("url", url.clone());
        }
    }
    f
}

/// The draft a form describes, or the fields it could not read.
fn draft_from(kind: Kind, f: &HashMap<String, String>) -> Result<Draft, Vec<(String, String)>> {
    let get = |k: &str| f.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let mut errors = Vec::new();
    let mut datetime = |k: &str, required: bool| -> Option<jiff::civil::DateTime> {
        let v = get(k);
        if v.is_empty() {
            if required {
                errors.push((k.to_owned(), "Vul een datum en tijd in.".to_owned()));
            }
            return None;
        }
        v.parse::<jiff::civil::DateTime>().ok().or_else(|| {
            errors.push((k.to_owned(), "Vul een datum en tijd in als 2024-06-19 15:00.".to_owned()));
            None
        })
    };
    let details = match kind {
        Kind::Nieuws => Some(Details::Nieuws),
        Kind::Agenda => {
            let starts = datetime("starts", true);
            let ends = datetime("ends", false);
            starts.map(|starts| Details::Agenda {
                starts,
                ends,
                place: get("place"),
                online_url: get("online_url"),
                registration_url: get("registration_url"),
            })
        }
        Kind::Webinar => match get("date").parse::<jiff::civil::Date>() {
            Ok(date) => Some(Details::Webinar {
                date,
                speakers: get("speakers").split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect(),
                recording_url: get("recording_url"),
            }),
            Err(_) => {
                errors.push(("date".into(), "Vul een datum in.".into()));
                None
            }
        },
        Kind::Vraag => Some(Details::Vraag { topic: get("topic"), phase: get("phase") }),
        Kind::Document => {
            Some(Details::Document { category: get("category"), members_only: !get("members_only").is_empty() })
        }
        Kind::Inspiratie => Some(Details::Inspiratie {
            kind: get("type"),
            theme: get("theme"),
            province: get("province"),
            url: get("url"),
        }),
    };
    let publish_on = match get("publish_on") {
        v if v.is_empty() => None,
        v => match v.parse::<jiff::civil::Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(("publish_on".into(), "Vul een datum in als 2024-06-19.".into()));
                None
            }
        },
    };
    match details {
        Some(details) if errors.is_empty() => Ok(Draft {
            title: get("title"),
            summary: get("summary"),
            body: f.get("body").cloned().unwrap_or_default(),
            details,
            status: if get("status") == "gepubliceerd" { Status::Gepubliceerd } else { Status::Concept },
            publish_on,
        }),
        _ => Err(errors),
    }
}

struct Form {
    pub(crate) kind: Kind,
    pub(crate) id: Option<String>,
    pub(crate) version: i64,
    pub(crate) scope: String,
    pub(crate) fields: HashMap<String, String>,
}

async fn edit_page(
    st: &AppState,
    ctx: &Ctx,
    form: Form,
    errors: Vec<(String, String)>,
    preview: Option<ItemView>,
    notice: Option<String>,
) -> Page {
    let scopes = scopes(st, ctx).await?;
    let f = &form.fields;
    let pick =
        |list: &[(&str, &str)], k: &str| Choice::list(list.iter().copied(), f.get(k).map(String::as_str).unwrap_or(""));
    let provinces: Vec<(&str, &str)> =
        std::iter::once(("", "Geen (landelijk)")).chain(PROVINCES.iter().map(|p| (*p, *p))).collect();
    let (view_href, files) = match &form.id {
        Some(id) => {
            let item = services::content::by_id(&st.app, &ctx.actor, id).await?;
            let files = file_views(st, ctx, &item).await?;
            (Some(format!("{}/{}", item.kind().path(), item.slug)), files)
        }
        None => (None, Vec::new()),
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = EditPage {
        l: Layout::new(format!("{} bewerken", form.kind.label()), ctx, "beheer"),
        kind: form.kind,
        action: match &form.id {
            Some(id) => format!("/beheer/inhoud/{id}"),
            None => format!("/beheer/inhoud/nieuw?soort={}", form.kind.code()),
        },
        id: form.id.clone(),
        version: form.version,
        scope: form.scope.clone(),
        scopes,
        topics: pick(&FAQ_TOPICS, "topic"),
        phases: pick(&FAQ_PHASES, "phase"),
        categories: pick(&DOCUMENT_CATEGORIES, "category"),
        types: pick(&INSPIRATION_TYPES, "type"),
        themes: pick(&INSPIRATION_THEMES, "theme"),
        provinces: pick(&provinces, "province"),
        f: form.fields,
        errors,
        preview,
        notice,
        view_href,
        files,
    }
    .render()?;
    Ok((status, axum::response::Html(page)).into_response())
}

pub async fn new_form(State(st): State<AppState>, ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> Page {
    let kind = q.get("soort").and_then(|k| Kind::parse(k)).unwrap_or(Kind::Nieuws);
    let scope = q.get("regio").cloned().unwrap_or_default();
    if scopes(&st, &ctx).await?.is_empty() {
        return Err(crate::error::WebError::Forbidden);
    }
    let form = Form { kind, id: None, version: 0, scope, fields: HashMap::from([("status".into(), "concept".into())]) };
    edit_page(&st, &ctx, form, Vec::new(), None, None).await
}

pub async fn edit_form(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Page {
    let item = services::content::by_id(&st.app, &ctx.actor, &id).await?;
    if !services::content::may_edit(&ctx.actor, item.region_id.as_deref()) {
        return Err(crate::error::WebError::Forbidden);
    }
    let form =
        Form { kind: item.kind(), id: Some(id), version: item.version, scope: String::new(), fields: fields(&item) };
    let notice = q.get("opgeslagen").map(|_| "Opgeslagen.".to_owned());
    edit_page(&st, &ctx, form, Vec::new(), None, notice).await
}

fn form_fields(body: &axum::body::Bytes) -> HashMap<String, String> {
    let pairs = Pairs::parse(body);
    [
        "title",
        "summary",
        "body",
        "status",
        "publish_on",
        "starts",
        "ends",
        "place",
        "online_url",
        "registration_url",
        "date",
        "speakers",
        "recording_url",
        "topic",
        "phase",
        "category",
        "members_only",
        "type",
        "theme",
        "province",
        "url",
    ]
    .into_iter()
    .map(|k| (k.to_owned(), pairs.get(k)))
    .collect()
}

/// Saves a form (or shows its preview); refused input comes back with every field kept.
async fn save(st: &AppState, ctx: &Ctx, form: Form, preview: bool) -> Page {
    let draft = match draft_from(form.kind, &form.fields) {
        Ok(d) => d,
        Err(errors) => return edit_page(st, ctx, form, errors, None, None).await,
    };
    if preview {
        let shown = Item {
            id: String::new(),
            slug: String::new(),
            region_id: None,
            draft,
            version: 0,
            updated_at: st.app.now(),
        };
        let mut preview = view(&shown, &HashMap::new());
        // The preview sits under its own heading and the title's (h3): the text's headings start at h4.
        preview.body_html = crate::markdown::to_html(&shown.draft.body, crate::markdown::HeadingLevel::H4);
        return edit_page(st, ctx, form, Vec::new(), Some(preview), None).await;
    }
    let saved = match &form.id {
        Some(id) => services::content::update(&st.app, &ctx.actor, id, form.version, draft).await,
        None => {
            let scope = (!form.scope.is_empty()).then_some(form.scope.as_str());
            services::content::create(&st.app, &ctx.actor, scope, draft).await
        }
    };
    match saved {
        Ok(item) => Ok(Redirect::to(&format!("/beheer/inhoud/{}?opgeslagen=1", item.id)).into_response()),
        Err(services::ServiceError::Invalid(e)) => {
            let errors = crate::form::error_pairs(&e);
            edit_page(st, ctx, form, errors, None, None).await
        }
        Err(services::ServiceError::Conflict) => {
            let errors = vec![(
                "version".to_owned(),
                "Iemand anders heeft dit item intussen opgeslagen. Uw tekst staat hieronder nog; open het item opnieuw om de nieuwe versie te zien en breng uw wijziging daarin aan.".to_owned(),
            )];
            let page = edit_page(st, ctx, form, errors, None, None).await?;
            let (mut parts, body) = page.into_parts();
            parts.status = StatusCode::CONFLICT;
            Ok(Response::from_parts(parts, body))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn create(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HashMap<String, String>>,
    body: axum::body::Bytes,
) -> Page {
    let kind = q.get("soort").and_then(|k| Kind::parse(k)).ok_or(crate::error::WebError::NotFound)?;
    let pairs = Pairs::parse(&body);
    let form = Form { kind, id: None, version: 0, scope: pairs.get("scope"), fields: form_fields(&body) };
    save(&st, &ctx, form, pairs.get("preview") == "1").await
}

pub async fn update(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>, body: axum::body::Bytes) -> Page {
    let item = services::content::by_id(&st.app, &ctx.actor, &id).await?;
    let pairs = Pairs::parse(&body);
    let form = Form {
        kind: item.kind(),
        id: Some(id),
        version: pairs.version(),
        scope: String::new(),
        fields: form_fields(&body),
    };
    save(&st, &ctx, form, pairs.get("preview") == "1").await
}

pub async fn upload(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    _may: crate::guard::EditsContent,
    mut multipart: axum::extract::Multipart,
) -> Page {
    let upload = crate::form::read(&mut multipart).await?;
    let (name, bytes) = upload.file.unwrap_or_default();
    let note = upload.fields.into_iter().find(|(k, _)| k == "note").map(|(_, v)| v).unwrap_or_default();
    let item = services::content::by_id(&st.app, &ctx.actor, &id).await?;
    match services::content::add_file(&st.app, &ctx.actor, &id, &name, &bytes, &note).await {
        Ok(_) => Ok(Redirect::to(&format!("/beheer/inhoud/{id}?opgeslagen=1")).into_response()),
        Err(services::ServiceError::Invalid(e)) => {
            let errors = crate::form::error_pairs(&e);
            let form = Form {
                kind: item.kind(),
                id: Some(id),
                version: item.version,
                scope: String::new(),
                fields: fields(&item),
            };
            edit_page(&st, &ctx, form, errors, None, None).await
        }
        Err(e) => Err(e.into()),
    }
}
