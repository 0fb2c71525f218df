//! Reading an import file: CSV syntax with the `csv` crate, and which of the two accepted
//! layouts it has — Herald's own header (as `herald export csv` writes it) or Hootsuite's bulk
//! composer columns (date and time, message, optional link; no header, or a header whose
//! first cell is not a date).

use super::RowError;

/// The layout of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Herald,
    Hootsuite,
}

/// A post's fields, by Herald's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    ScheduledAt,
    Channels,
    Text,
    Link,
    FirstComment,
    Pillar,
    Media,
    Labels,
}

impl Field {
    const HERALD: [(&'static str, Field); 8] = [
        ("scheduled_at", Field::ScheduledAt),
        ("channels", Field::Channels),
        ("text", Field::Text),
        ("link", Field::Link),
        ("first_comment", Field::FirstComment),
        ("pillar", Field::Pillar),
        ("media", Field::Media),
        ("labels", Field::Labels),
    ];

    /// The column's name in error messages, as the file's own layout calls it.
    pub fn column(self, dialect: Dialect) -> &'static str {
        match (dialect, self) {
            (Dialect::Hootsuite, Field::ScheduledAt) => "1 (date and time)",
            (Dialect::Hootsuite, Field::Text) => "2 (message)",
            (Dialect::Hootsuite, Field::Link) => "3 (link)",
            (_, f) => Field::HERALD
                .iter()
                .find(|(_, x)| *x == f)
                .map(|(n, _)| *n)
                .unwrap_or("?"),
        }
    }
}

/// Columns `herald export csv` writes that the import reads past.
pub const IGNORED: [&str; 2] = ["id", "status"];

/// One data row: its first line in the file and its non-blank cells by field.
#[derive(Debug, Clone, Default)]
pub struct RawRow {
    pub line: u64,
    pub cells: Vec<(Field, String)>,
}

impl RawRow {
    pub fn get(&self, f: Field) -> Option<&str> {
        self.cells
            .iter()
            .find(|(x, _)| *x == f)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.trim().is_empty())
    }
}

/// A file read into rows, or every syntax and layout problem found.
#[derive(Debug)]
pub struct CsvFile {
    pub dialect: Dialect,
    pub rows: Vec<RawRow>,
}

fn line_of(r: &csv::StringRecord) -> u64 {
    r.position().map(|p| p.line()).unwrap_or(0)
}

fn looks_like_date(cell: &str) -> bool {
    cell.trim().starts_with(|c: char| c.is_ascii_digit())
}

/// Reads `data` (UTF-8, an optional byte-order mark) and detects its layout. Answers the rows
/// that could be read with the problems of the others, or only problems when there is no row.
pub fn read(data: &[u8]) -> Result<(CsvFile, Vec<RowError>), Vec<RowError>> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(data);
    let mut records = vec![];
    let mut errors = vec![];
    for r in reader.records() {
        match r {
            Ok(r) => {
                if r.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                records.push(r)
            }
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                let message = match e.kind() {
                    csv::ErrorKind::Utf8 { .. } => "is not valid UTF-8 text".to_string(),
                    _ => e.to_string(),
                };
                errors.push(RowError::new(line, "-", message));
            }
        }
    }
    let Some(first) = records.first() else {
        if errors.is_empty() {
            errors.push(RowError::new(1, "-", "the file has no rows"));
        }
        return Err(errors);
    };
    let names: Vec<String> = first.iter().map(|c| c.trim().to_lowercase()).collect();
    let herald = names
        .iter()
        .any(|n| n == "text" || n == "scheduled_at" || n == "channels");
    let file = if herald {
        read_herald(&names, line_of(first), &records[1..], &mut errors)
    } else {
        let skip = usize::from(!looks_like_date(&first[0]));
        read_hootsuite(&records[skip..], &mut errors)
    };
    if file.rows.is_empty() && errors.is_empty() {
        errors.push(RowError::new(line_of(first), "-", "the file has no posts"));
    }
    if file.rows.is_empty() {
        Err(errors)
    } else {
        Ok((file, errors))
    }
}

fn read_herald(
    names: &[String],
    header_line: u64,
    records: &[csv::StringRecord],
    errors: &mut Vec<RowError>,
) -> CsvFile {
    let mut fields: Vec<Option<Field>> = vec![];
    for (i, n) in names.iter().enumerate() {
        let f = Field::HERALD.iter().find(|(h, _)| h == n).map(|(_, f)| *f);
        if f.is_none() && !IGNORED.contains(&n.as_str()) {
            errors.push(RowError::new(
                header_line,
                format!("{}", i + 1),
                format!("unknown column '{n}'"),
            ));
        }
        if f.is_some() && fields.contains(&f) {
            errors.push(RowError::new(header_line, n.clone(), "appears twice"));
        }
        fields.push(f);
    }
    if !fields.contains(&Some(Field::Text)) {
        errors.push(RowError::new(
            header_line,
            "text",
            "the header has no text column",
        ));
    }
    let mut rows = vec![];
    for r in records {
        let line = line_of(r);
        if r.len() != names.len() {
            errors.push(RowError::new(
                line,
                "-",
                format!("has {} cells; the header has {}", r.len(), names.len()),
            ));
            continue;
        }
        let cells = fields
            .iter()
            .zip(r.iter())
            .filter_map(|(f, v)| f.map(|f| (f, v.to_string())))
            .collect();
        rows.push(RawRow { line, cells });
    }
    CsvFile {
        dialect: Dialect::Herald,
        rows,
    }
}

fn read_hootsuite(records: &[csv::StringRecord], errors: &mut Vec<RowError>) -> CsvFile {
    let mut rows = vec![];
    for r in records {
        let line = line_of(r);
        // Spreadsheets often save trailing empty cells; only a filled fourth cell is an error.
        if let Some((i, _)) = r
            .iter()
            .enumerate()
            .skip(3)
            .find(|(_, c)| !c.trim().is_empty())
        {
            errors.push(RowError::new(
                line,
                format!("{}", i + 1),
                "a Hootsuite row has at most three columns: date and time, message, link",
            ));
            continue;
        }
        let cell = |i: usize| r.get(i).unwrap_or("").to_string();
        rows.push(RawRow {
            line,
            cells: vec![
                (Field::ScheduledAt, cell(0)),
                (Field::Text, cell(1)),
                (Field::Link, cell(2)),
            ],
        });
    }
    CsvFile {
        dialect: Dialect::Hootsuite,
        rows,
    }
}
