//! One search over everything public: the knowledge base's items, regions and schools. A
//! tantivy index in memory, built from the database and rebuilt when something it holds changed
//! (any process: the key is read from the database) or the day changed (publish dates).

use std::sync::{Arc, Mutex};

use domain::{Actor, OrganisationKind};
use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{Field, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
};
use tantivy::{Index, IndexReader, TantivyDocument, doc};

use crate::{App, Result, ServiceError};

/// Something to index: what it is, where it lives, what it says.
#[derive(Debug, Clone)]
pub struct Entry {
    /// "Nieuws", "Regio", "School", …
    pub label: String,
    pub title: String,
    pub text: String,
    pub href: String,
}

/// A hit: the entry's label, title and address, and its title and text with the words found
/// marked (`<mark>`; everything else escaped: safe to insert as HTML).
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub label: String,
    pub href: String,
    pub title_html: String,
    pub snippet_html: String,
    pub score: f32,
}

struct Fields {
    label: Field,
    title: Field,
    text: Field,
    href: Field,
}

/// A built index and what it was built from.
pub struct Built {
    key: Key,
    index: Index,
    reader: IndexReader,
    fields: Fields,
}

type Key = ((i64, i64), (i64, i64), jiff::civil::Date);

/// The index in memory, shared by the app's requests.
#[derive(Default)]
pub struct SearchCache(Mutex<Option<Arc<Built>>>);

const TOKENIZER: &str = "nl";

fn build(key: Key, entries: &[Entry]) -> tantivy::Result<Built> {
    let mut schema = Schema::builder();
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(TOKENIZER)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let text_options = TextOptions::default().set_indexing_options(indexing).set_stored();
    let fields = Fields {
        label: schema.add_text_field("label", STORED),
        title: schema.add_text_field("title", text_options.clone()),
        text: schema.add_text_field("text", text_options),
        href: schema.add_text_field("href", STORED),
    };
    let index = Index::create_in_ram(schema.build());
    // Dutch words: lower case, accents folded, stemmed ("regio's" finds "regio", "scholen" "school").
    let analyzer = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::Dutch))
        .build();
    index.tokenizers().register(TOKENIZER, analyzer);
    let mut writer = index.writer_with_num_threads(1, 20_000_000)?;
    for e in entries {
        writer.add_document(doc!(
            fields.label => e.label.as_str(),
            fields.title => e.title.as_str(),
            fields.text => e.text.as_str(),
            fields.href => e.href.as_str(),
        ))?;
    }
    writer.commit()?;
    let reader = index.reader()?;
    Ok(Built { key, index, reader, fields })
}

fn search_err(e: tantivy::TantivyError) -> ServiceError {
    ServiceError::File(format!("zoeken: {e}"))
}

/// Everything public today: published items, regions, schools.
async fn public_entries(app: &App) -> Result<Vec<Entry>> {
    let anyone = Actor::anonymous();
    let mut out: Vec<Entry> = crate::content::list(app, &anyone, &crate::content::Filter::default())
        .await?
        .into_iter()
        .map(|i| Entry {
            label: i.kind().label().to_owned(),
            href: format!("{}/{}", i.kind().path(), i.slug),
            text: format!("{}\n{}", i.draft.summary, i.draft.body),
            title: i.draft.title,
        })
        .collect();
    let mut conn = app.db.conn().await?;
    for r in store::regions::list(&mut conn, false).await? {
        let Some(region) = store::regions::by_slug(&mut conn, &r.slug).await? else { continue };
        out.push(Entry {
            label: "Regio".to_owned(),
            href: format!("/regios/{}", region.slug),
            text: format!(
                "{}\n{}\n{}",
                region.province,
                region.profile.description,
                region.profile.theme_tags.join(", ")
            ),
            title: region.name,
        });
    }
    for hit in store::organisations::all_schools(&mut conn).await? {
        let s = hit.school;
        let kind = if s.kind == OrganisationKind::Mbo { "Mbo-instelling" } else { "School" };
        let region = hit.region.map(|r| (r.slug, r.name));
        out.push(Entry {
            label: kind.to_owned(),
            href: match &region {
                Some((slug, _)) => format!("/regios/{slug}"),
                None => format!("/scholen?q={}", s.duo_code.clone().unwrap_or_else(|| s.name.clone())),
            },
            text: [
                s.place.clone(),
                s.municipality.clone(),
                s.duo_code.clone(),
                region.map(|(_, n)| format!("regio {n}")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · "),
            title: s.name,
        });
    }
    Ok(out)
}

async fn key(app: &App) -> Result<Key> {
    let mut conn = app.db.conn().await?;
    let content = store::content::generation(&mut conn).await?;
    let registry = store::regions::generation(&mut conn).await?;
    Ok((content, registry, crate::content::today(app)))
}

/// The index, rebuilt when what it holds changed since it was built.
async fn index(app: &App) -> Result<Arc<Built>> {
    let key = key(app).await?;
    if let Some(built) = app.search.0.lock().unwrap_or_else(|e| e.into_inner()).as_ref().filter(|b| b.key == key) {
        return Ok(built.clone());
    }
    let entries = public_entries(app).await?;
    // Indexing is CPU work: on the bounded pool, off the async workers.
    let built = Arc::new(crate::cpu::run(move || build(key, &entries)).await?.map_err(search_err)?);
    *app.search.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(built.clone());
    Ok(built)
}

/// The best hits for `q` (at most `limit`), titles weighing more than text; words may be
/// inflected ("regio's", "scholen"); every word must occur.
pub async fn search(app: &App, q: &str, limit: usize) -> Result<Vec<Hit>> {
    let q: String = q.chars().take(200).collect();
    if q.trim().is_empty() {
        return Ok(Vec::new());
    }
    let built = index(app).await?;
    run(&built, &q, limit).map_err(search_err)
}

fn run(built: &Built, q: &str, limit: usize) -> tantivy::Result<Vec<Hit>> {
    let f = &built.fields;
    let searcher = built.reader.searcher();
    let mut parser = QueryParser::for_index(&built.index, vec![f.title, f.text]);
    parser.set_field_boost(f.title, 3.0);
    parser.set_conjunction_by_default();
    // User input is words, not query syntax: drop what the grammar would read as operators.
    let words: String = q.chars().map(|c| if c.is_alphanumeric() || c == '\'' { c } else { ' ' }).collect();
    let (query, _) = parser.parse_query_lenient(&words);
    let top = searcher.search(&query, &TopDocs::with_limit(limit.max(1)).order_by_score())?;
    let mut text_snippets = SnippetGenerator::create(&searcher, &*query, f.text)?;
    text_snippets.set_max_num_chars(220);
    let mut title_snippets = SnippetGenerator::create(&searcher, &*query, f.title)?;
    title_snippets.set_max_num_chars(400);
    let mut hits = Vec::with_capacity(top.len());
    for (score, address) in top {
        let doc: TantivyDocument = searcher.doc(address)?;
        let get = |field: Field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
        let mark = |mut s: tantivy::snippet::Snippet| {
            s.set_snippet_prefix_postfix("<mark>", "</mark>");
            s.to_html()
        };
        let title_html = match mark(title_snippets.snippet_from_doc(&doc)) {
            t if t.is_empty() => html_escape(&get(f.title)),
            t => t,
        };
        hits.push(Hit {
            label: get(f.label),
            href: get(f.href),
            title_html,
            snippet_html: mark(text_snippets.snippet_from_doc(&doc)),
            score,
        });
    }
    Ok(hits)
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(label: &str, title: &str, text: &str) -> Entry {
        Entry {
            label: label.into(),
            title: title.into(),
            text: text.into(),
            href: format!("/{}", domain::slugify(title)),
        }
    }

    #[test]
    fn titles_rank_first_words_are_stemmed_and_marks_are_the_only_markup() {
        let key = ((0, 0), (0, 0), jiff::civil::date(2026, 1, 1));
        let built = build(
            key,
            &[
                entry("Nieuws", "Subsidie voor de regio", "Over <script>alert(1)</script> en techniek in de regio."),
                entry("Regio", "Zuid-Friesland", "Samenwerking van regio's en scholen <b>rond</b> techniek."),
                entry("Vraag", "Tarieven", "Uurtarieven voor personeel."),
            ],
        )
        .unwrap();
        let hits = run(&built, "regio", 10).unwrap();
        assert_eq!(hits.len(), 2, "\"regio's\" is found as \"regio\"");
        assert_eq!(hits[0].label, "Nieuws", "a title match ranks first");
        assert_eq!(hits[0].title_html, "Subsidie voor de <mark>regio</mark>");
        assert!(hits[0].snippet_html.contains("&lt;script&gt;"), "{}", hits[0].snippet_html);
        assert!(!hits.iter().any(|h| h.snippet_html.contains("<b>") || h.snippet_html.contains("<script")));
        assert!(
            run(&built, "scholen techniek", 10).unwrap().iter().all(|h| h.label == "Regio"),
            "every word must occur"
        );
        assert!(run(&built, "\"(AND OR:", 10).unwrap().is_empty(), "operators are not syntax errors");
    }
}
