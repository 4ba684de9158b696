//! CSV and JSON import/export of directory entries, for admins.
//!
//! Import validates every row and reports *all* problems with their line numbers, so an admin can
//! fix a spreadsheet in one pass. Nothing is imported when any row is invalid.
//!
//! CSV columns (header required, any order):
//! `id,name,category,services,phones,whatsapp,web,address,coverage_level,coverage_area,province,
//! zone,hours,rota,languages,notes,source,verified_at,contact_status`.
//! - `phones`: `119 ext 8; 112` (`;` between numbers, optional `ext N`).
//! - `hours`: `24h`, `unknown`, or `mon-fri 08:00-16:00; sat 08:00-12:00` (overnight spans such as
//!   `fri 20:00-02:00` are allowed).
//! - `rota`: `mon=0811...; tue=0812...` (optional); each number is checked like a phone. An
//!   entry may have a rota and no fixed number.
//! - `languages`: `id,en`. `verified_at`: `YYYY-MM-DD` or empty.
//!
//! Optional columns (files written before they existed still import):
//! - `other_provinces`: `Sumatera Barat; Jambi`, further provinces the service works in.
//! - `situations`: `suicide_risk; general_emergency` (emergency-panel keys; empty: by category).
//! - `closed_on_holidays`: `yes` or `no` (empty: no).

use std::collections::HashSet;
use std::fmt;

use chrono::NaiveDate;

use crate::model::{
    Category, ContactStatus, Coverage, CoverageLevel, Entry, Hours, Phone, Situation, Span, Zone,
};

/// One problem found while importing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    /// 1-based line number in the file (CSV) or the entry's position (JSON, `entry N`).
    pub line: usize,
    /// The column or field concerned.
    pub field: String,
    /// What is wrong and what is expected.
    pub message: String,
}

impl fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.field, self.message)
    }
}

/// An import that found problems: nothing was imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} problem(s) in the directory file:\n{}", .0.len(), .0.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"))]
pub struct ImportError(pub Vec<ImportProblem>);

const COLUMNS: [&str; 19] = [
    "id",
    "name",
    "category",
    "services",
    "phones",
    "whatsapp",
    "web",
    "address",
    "coverage_level",
    "coverage_area",
    "province",
    "zone",
    "hours",
    "rota",
    "languages",
    "notes",
    "source",
    "verified_at",
    "contact_status",
];

/// Columns added after the first format; a file without them imports with their defaults.
const OPTIONAL_COLUMNS: [&str; 3] = ["other_provinces", "situations", "closed_on_holidays"];

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Parses a CSV file into entries, or every problem with its line number.
pub fn import_csv(text: &str) -> Result<Vec<Entry>, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.as_bytes());
    let problem = |line: usize, field: &str, message: String| ImportProblem {
        line,
        field: field.to_owned(),
        message,
    };
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(ImportError(vec![problem(1, "header", e.to_string())])),
    };
    let mut index = std::collections::HashMap::new();
    let mut problems = Vec::new();
    for col in COLUMNS {
        match headers.iter().position(|h| h == col) {
            Some(i) => {
                index.insert(col, i);
            }
            None => problems.push(problem(1, col, "missing column".into())),
        }
    }
    if !problems.is_empty() {
        return Err(ImportError(problems));
    }
    for col in OPTIONAL_COLUMNS {
        if let Some(i) = headers.iter().position(|h| h == col) {
            index.insert(col, i);
        }
    }
    let mut entries = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                problems.push(problem(line, "row", e.to_string()));
                continue;
            }
        };
        let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
        let mut row = RowParser {
            line,
            problems: &mut problems,
            record: &record,
            index: &index,
        };
        let entry = row.entry();
        if let Some(e) = entry {
            entries.push((line, e));
        }
    }
    check_unique(&entries, &mut problems);
    if problems.is_empty() {
        Ok(entries.into_iter().map(|(_, e)| e).collect())
    } else {
        problems.sort_by_key(|p| p.line);
        Err(ImportError(problems))
    }
}

/// Parses a JSON array of entries, validating each; problems name the entry's position.
pub fn import_json(text: &str) -> Result<Vec<Entry>, ImportError> {
    let entries: Vec<Entry> = serde_json::from_str(text).map_err(|e| {
        ImportError(vec![ImportProblem {
            line: e.line(),
            field: "json".into(),
            message: e.to_string(),
        }])
    })?;
    let mut problems = Vec::new();
    let numbered: Vec<(usize, Entry)> = entries
        .into_iter()
        .enumerate()
        .map(|(i, e)| (i + 1, e))
        .collect();
    for (n, e) in &numbered {
        validate(*n, e, &mut problems);
    }
    check_unique(&numbered, &mut problems);
    if problems.is_empty() {
        Ok(numbered.into_iter().map(|(_, e)| e).collect())
    } else {
        Err(ImportError(problems))
    }
}

/// Writes entries as pretty JSON (an array), the format `import_json` reads.
pub fn export_json(entries: &[Entry]) -> String {
    serde_json::to_string_pretty(entries).unwrap_or_else(|_| "[]".into())
}

/// Writes entries as CSV with the documented columns; `import_csv` reads it back unchanged.
pub fn export_csv(entries: &[Entry]) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS.iter().chain(OPTIONAL_COLUMNS.iter()))?;
    for e in entries {
        let phones = e
            .phones
            .iter()
            .map(|p| match &p.extension {
                Some(x) => format!("{} ext {x}", p.number),
                None => p.number.clone(),
            })
            .collect::<Vec<_>>()
            .join("; ");
        let rota = e
            .rota
            .as_ref()
            .map(|r| {
                r.iter()
                    .enumerate()
                    .filter_map(|(d, n)| n.as_ref().map(|n| format!("{}={n}", DAYS[d])))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default();
        w.write_record([
            e.id.as_str(),
            &e.name,
            e.category.code(),
            &e.services,
            &phones,
            e.whatsapp.as_deref().unwrap_or(""),
            e.web.as_deref().unwrap_or(""),
            e.address.as_deref().unwrap_or(""),
            e.coverage.level.code(),
            &e.coverage.area,
            &e.coverage.province,
            e.zone.label(),
            &hours_to_text(&e.hours),
            &rota,
            &e.languages.join(","),
            &e.notes,
            &e.source,
            &e.verified_at.map(|d| d.to_string()).unwrap_or_default(),
            status_code(e.contact_status),
            &e.coverage.other_provinces.join("; "),
            &e.situations
                .iter()
                .map(|s| s.code())
                .collect::<Vec<_>>()
                .join("; "),
            if e.closed_on_holidays { "yes" } else { "no" },
        ])?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn status_code(s: ContactStatus) -> &'static str {
    match s {
        ContactStatus::Verified => "verified",
        ContactStatus::Unverified => "unverified",
        ContactStatus::ToBeVerified => "to_be_verified",
    }
}

/// Formats hours the way the CSV column expects.
pub fn hours_to_text(hours: &Hours) -> String {
    match hours {
        Hours::AlwaysOpen => "24h".into(),
        Hours::Unknown => "unknown".into(),
        Hours::Weekly { days } => days
            .iter()
            .enumerate()
            .filter(|(_, spans)| !spans.is_empty())
            .map(|(d, spans)| {
                let spans: Vec<String> = spans
                    .iter()
                    .map(|s| {
                        format!(
                            "{:02}:{:02}-{:02}:{:02}",
                            s.open / 60,
                            s.open % 60,
                            s.close / 60,
                            s.close % 60
                        )
                    })
                    .collect();
                format!("{} {}", DAYS[d], spans.join(","))
            })
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// Parses the `hours` column.
pub fn parse_hours(text: &str) -> Result<Hours, String> {
    let text = text.trim();
    match text.to_ascii_lowercase().as_str() {
        "24h" | "24 jam" => return Ok(Hours::AlwaysOpen),
        "unknown" | "" => return Ok(Hours::Unknown),
        _ => {}
    }
    let mut days: [Vec<Span>; 7] = Default::default();
    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (day_spec, spans) = part
            .split_once(' ')
            .ok_or_else(|| format!("{part:?}: expected `mon-fri 08:00-16:00`"))?;
        let selected = parse_days(day_spec)?;
        for span_text in spans.split(',') {
            let span = Span::parse(span_text)
                .ok_or_else(|| format!("{span_text:?}: expected a time span like 08:00-16:00"))?;
            for &d in &selected {
                days[d].push(span);
            }
        }
    }
    Ok(Hours::Weekly { days })
}

fn day_index(name: &str) -> Result<usize, String> {
    DAYS.iter()
        .position(|d| *d == name.trim().to_ascii_lowercase())
        .ok_or_else(|| format!("{name:?} is not a weekday (mon, tue, wed, thu, fri, sat, sun)"))
}

fn parse_days(spec: &str) -> Result<Vec<usize>, String> {
    let mut out = Vec::new();
    for piece in spec.split(',') {
        match piece.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (day_index(a)?, day_index(b)?);
                if a > b {
                    return Err(format!("{piece:?}: a day range runs Monday to Sunday"));
                }
                out.extend(a..=b);
            }
            None => out.push(day_index(piece)?),
        }
    }
    Ok(out)
}

struct RowParser<'a> {
    line: usize,
    problems: &'a mut Vec<ImportProblem>,
    record: &'a csv::StringRecord,
    index: &'a std::collections::HashMap<&'static str, usize>,
}

impl<'a> RowParser<'a> {
    fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.problems.push(ImportProblem {
            line: self.line,
            field: field.into(),
            message: message.into(),
        });
    }

    fn entry(&mut self) -> Option<Entry> {
        let (record, index) = (self.record, self.index);
        let get = move |col: &str| -> &'a str {
            index.get(col).and_then(|&i| record.get(i)).unwrap_or("")
        };
        let before = self.problems.len();
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        let category = Category::from_code(get("category"));
        if category.is_none() {
            self.fail(
                "category",
                format!(
                    "{:?}: expected one of {}",
                    get("category"),
                    Category::ALL.map(|c| c.code()).join(", ")
                ),
            );
        }
        let level = CoverageLevel::from_code(get("coverage_level"));
        if level.is_none() {
            self.fail(
                "coverage_level",
                format!(
                    "{:?}: expected national, province, regency or city",
                    get("coverage_level")
                ),
            );
        }
        let zone = Zone::from_label(get("zone"));
        if zone.is_none() {
            self.fail(
                "zone",
                format!("{:?}: expected WIB, WITA or WIT", get("zone")),
            );
        }
        let hours = parse_hours(get("hours"))
            .map_err(|m| self.fail("hours", m))
            .ok();
        let phones: Vec<Phone> = get("phones")
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once(" ext ") {
                Some((n, x)) => Phone {
                    number: n.trim().into(),
                    extension: Some(x.trim().into()),
                },
                None => Phone {
                    number: p.into(),
                    extension: None,
                },
            })
            .collect();
        let rota = self.rota(get("rota"));
        let mut situations = Vec::new();
        for code in get("situations")
            .split(';')
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            match Situation::from_code(code) {
                Some(s) => situations.push(s),
                None => self.fail(
                    "situations",
                    format!(
                        "{code:?}: expected {}",
                        Situation::ALL.map(|s| s.code()).join(", ")
                    ),
                ),
            }
        }
        let closed_on_holidays = match get("closed_on_holidays").to_ascii_lowercase().as_str() {
            "" | "no" | "false" | "tidak" => false,
            "yes" | "true" | "ya" => true,
            other => {
                self.fail(
                    "closed_on_holidays",
                    format!("{other:?}: expected yes or no"),
                );
                false
            }
        };
        let verified_at = match get("verified_at") {
            "" => None,
            s => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    self.fail(
                        "verified_at",
                        format!("{s:?}: expected a date like 2026-01-31"),
                    );
                    None
                }
            },
        };
        let contact_status = match get("contact_status") {
            "verified" => Some(ContactStatus::Verified),
            "unverified" => Some(ContactStatus::Unverified),
            "to_be_verified" => Some(ContactStatus::ToBeVerified),
            other => {
                self.fail(
                    "contact_status",
                    format!("{other:?}: expected verified, unverified or to_be_verified"),
                );
                None
            }
        };
        let entry = Entry {
            id: get("id").to_owned(),
            name: get("name").to_owned(),
            category: category?,
            services: get("services").to_owned(),
            phones,
            whatsapp: opt(get("whatsapp")),
            web: opt(get("web")),
            address: opt(get("address")),
            coverage: Coverage {
                level: level?,
                area: get("coverage_area").to_owned(),
                province: get("province").to_owned(),
                other_provinces: get("other_provinces")
                    .split(';')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned)
                    .collect(),
            },
            zone: zone?,
            hours: hours?,
            rota: rota?,
            closed_on_holidays,
            situations,
            languages: get("languages")
                .split(',')
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
            notes: get("notes").to_owned(),
            source: get("source").to_owned(),
            verified_at,
            contact_status: contact_status?,
        };
        validate(self.line, &entry, self.problems);
        (self.problems.len() == before).then_some(entry)
    }

    fn rota(&mut self, text: &str) -> Option<Option<[Option<String>; 7]>> {
        if text.trim().is_empty() {
            return Some(None);
        }
        let mut rota: [Option<String>; 7] = Default::default();
        for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((day, number)) = part.split_once('=') else {
                self.fail("rota", format!("{part:?}: expected `mon=0811...`"));
                return None;
            };
            match day_index(day) {
                Ok(d) => rota[d] = Some(number.trim().to_owned()),
                Err(m) => {
                    self.fail("rota", m);
                    return None;
                }
            }
        }
        Some(Some(rota))
    }
}

/// Rules every entry must satisfy, whatever file it came from.
fn validate(line: usize, e: &Entry, problems: &mut Vec<ImportProblem>) {
    let mut fail = |field: &str, message: String| {
        problems.push(ImportProblem {
            line,
            field: field.into(),
            message,
        })
    };
    if e.id.is_empty()
        || !e
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        fail(
            "id",
            format!("{:?}: use lowercase letters, digits and '-'", e.id),
        );
    }
    if e.name.trim().is_empty() {
        fail("name", "must not be empty".into());
    }
    if e.source.trim().is_empty() {
        fail("source", "say where the details were published".into());
    }
    for p in &e.phones {
        if !is_phone_number(&p.number) {
            fail("phones", format!("{:?} is not a phone number", p.number));
        }
    }
    if let Some(rota) = &e.rota {
        for (day, number) in rota.iter().enumerate() {
            if let Some(n) = number {
                if !is_phone_number(n) {
                    fail(
                        "rota",
                        format!("{}: {n:?} is not a phone number", DAYS[day]),
                    );
                }
            }
        }
        if rota.iter().all(Option::is_none) {
            fail(
                "rota",
                "a rota needs a number for at least one day; leave it empty otherwise".into(),
            );
        }
    }
    if let Some(w) = &e.whatsapp {
        if !(w.len() >= 8 && w.chars().all(|c| c.is_ascii_digit()) && w.starts_with("62")) {
            fail(
                "whatsapp",
                format!("{w:?}: international digits starting with 62, e.g. 628111129129"),
            );
        }
    }
    if e.contact_status != ContactStatus::ToBeVerified && !e.has_direct_contact() && e.web.is_none()
    {
        fail(
            "phones",
            "a verified entry needs a phone number, a rota, WhatsApp or a web address".into(),
        );
    }
    if e.coverage.level == CoverageLevel::National && !e.coverage.other_provinces.is_empty() {
        fail(
            "other_provinces",
            "a national service covers every province already".into(),
        );
    }
    if e.coverage.level != CoverageLevel::National && e.coverage.area.trim().is_empty() {
        fail(
            "coverage_area",
            "regional services must name their area".into(),
        );
    }
}

/// Digits, with `-`, spaces and a leading-style `+` allowed: what a phone can dial.
fn is_phone_number(number: &str) -> bool {
    number
        .chars()
        .all(|c| c.is_ascii_digit() || c == '-' || c == ' ' || c == '+')
        && number.chars().any(|c| c.is_ascii_digit())
}

fn check_unique(entries: &[(usize, Entry)], problems: &mut Vec<ImportProblem>) {
    let mut seen = HashSet::new();
    for (line, e) in entries {
        if !seen.insert(e.id.as_str()) {
            problems.push(ImportProblem {
                line: *line,
                field: "id".into(),
                message: format!("{:?} appears more than once", e.id),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "id,name,category,services,phones,whatsapp,web,address,coverage_level,coverage_area,province,zone,hours,rota,languages,notes,source,verified_at,contact_status";

    #[test]
    fn the_seed_round_trips_through_csv_and_json() {
        let entries = crate::seed::seed_bundle().entries;
        let csv = export_csv(&entries).expect("exports");
        assert_eq!(
            import_csv(&csv).expect("imports"),
            entries,
            "CSV must lose nothing"
        );
        let json = export_json(&entries);
        assert_eq!(
            import_json(&json).expect("imports"),
            entries,
            "JSON must lose nothing"
        );
    }

    #[test]
    fn csv_errors_name_their_line_and_column_and_nothing_is_imported() {
        let csv = format!(
            "{HEADER}\n\
             ok-1,Layanan Satu,health,uji,100,,,,national,,,WIB,24h,,id,,sumber uji,2026-01-01,verified\n\
             bad-2,Layanan Dua,nonsense,uji,100,,,,national,,,WIB,24h,,id,,sumber uji,,verified\n\
             bad-3,Layanan Tiga,health,uji,100,,,,national,,,XYZ,mon-fri 25:00-26:00,,id,,sumber uji,31/01/2026,verified\n\
             ok-1,Layanan Empat,health,uji,100,,,,national,,,WIB,24h,,id,,sumber uji,,verified\n"
        );
        let err = import_csv(&csv).expect_err("invalid rows must stop the import");
        let got: Vec<(usize, &str)> = err.0.iter().map(|p| (p.line, p.field.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (3, "category"),
                (4, "zone"),
                (4, "hours"),
                (4, "verified_at"),
                (5, "id")
            ],
            "{err}"
        );
        assert!(err.to_string().contains("line 3: category"), "{err}");
    }

    #[test]
    fn rota_numbers_are_checked_like_phones_and_report_their_line() {
        let csv = format!(
            "{HEADER}\n\
             rota-ok,Layanan Rota,mental_health,uji,,,,,national,,,WIB,24h,mon=0811-0000-0001; sun=0811-0000-0007,id,,sumber uji,,unverified\n\
             rota-bad,Layanan Rota Dua,mental_health,uji,,,,,national,,,WIB,24h,mon=0811-0000-0001; tue=hubungi admin,id,,sumber uji,,unverified\n\
             rota-day,Layanan Rota Tiga,mental_health,uji,,,,,national,,,WIB,24h,senin=0811-0000-0001,id,,sumber uji,,unverified\n\
             no-contact,Layanan Tanpa Kontak,mental_health,uji,,,,,national,,,WIB,24h,,id,,sumber uji,,unverified\n"
        );
        let err = import_csv(&csv).expect_err("bad rota numbers stop the import");
        let got: Vec<(usize, &str)> = err.0.iter().map(|p| (p.line, p.field.as_str())).collect();
        assert_eq!(
            got,
            vec![(3, "rota"), (4, "rota"), (5, "phones")],
            "a rota-only entry is fine (line 2); an entry with neither is not: {err}"
        );
        assert!(err.to_string().contains("line 3: rota: tue"), "{err}");

        let ok = import_csv(&format!(
            "{HEADER}\n\
             rota-ok,Layanan Rota,mental_health,uji,,,,,national,,,WIB,24h,mon=0811-0000-0001,id,,sumber uji,,unverified\n"
        ))
        .expect("a rota and no fixed number imports");
        assert!(ok[0].phones.is_empty() && ok[0].has_direct_contact());

        // JSON import applies the same rule, naming the entry's position.
        let mut entry = ok[0].clone();
        entry.rota = Some(std::array::from_fn(|d| (d == 2).then(|| "08xx".to_owned())));
        let err = import_json(&export_json(&[ok[0].clone(), entry])).expect_err("bad rota");
        assert_eq!(
            err.0
                .iter()
                .map(|p| (p.line, p.field.as_str()))
                .collect::<Vec<_>>(),
            vec![(2, "rota"), (2, "id")]
        );
    }

    #[test]
    fn the_optional_columns_import_and_are_checked() {
        let header = format!("{HEADER},other_provinces,situations,closed_on_holidays");
        let csv = format!(
            "{header}\n\
             balai,Balai Uji,child_protection,uji,100,,,,province,Riau,Riau,WIB,unknown,,id,,sumber uji,,verified,Sumatera Barat; Jambi,child_in_danger,yes\n\
             bad,Layanan Uji,health,uji,100,,,,national,,,WIB,24h,,id,,sumber uji,,verified,Riau,panic,maybe\n"
        );
        let err = import_csv(&csv).expect_err("line 3 is wrong");
        let got: Vec<(usize, &str)> = err.0.iter().map(|p| (p.line, p.field.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (3, "situations"),
                (3, "closed_on_holidays"),
                (3, "other_provinces")
            ],
            "{err}"
        );
        let ok = import_csv(csv.lines().take(2).collect::<Vec<_>>().join("\n").as_str())
            .expect("line 2 is right");
        assert_eq!(
            ok[0].coverage.provinces().collect::<Vec<_>>(),
            vec!["Riau", "Sumatera Barat", "Jambi"]
        );
        assert_eq!(ok[0].situations, vec![Situation::ChildInDanger]);
        assert!(ok[0].closed_on_holidays);
    }

    #[test]
    fn hours_text_parses_ranges_lists_and_overnight_spans() {
        let h =
            parse_hours("mon-fri 08:00-16:00; sat 08.00-12.00; sun 20:00-02:00").expect("parses");
        let Hours::Weekly { days } = h else {
            panic!("weekly expected")
        };
        assert_eq!(
            days[0],
            vec![Span {
                open: 480,
                close: 960
            }]
        );
        assert_eq!(
            days[5],
            vec![Span {
                open: 480,
                close: 720
            }]
        );
        assert_eq!(
            days[6],
            vec![Span {
                open: 1200,
                close: 120
            }],
            "overnight span kept on its start day"
        );
        assert_eq!(parse_hours("24h"), Ok(Hours::AlwaysOpen));
        assert!(
            parse_hours("fri-mon 08:00-10:00").is_err(),
            "backwards range"
        );
    }

    #[test]
    fn malformed_json_reports_its_line() {
        let err = import_json("[\n{\"id\": \"x\",\n oops}\n]").expect_err("malformed");
        assert_eq!(err.0[0].line, 3, "{err}");
    }
}
