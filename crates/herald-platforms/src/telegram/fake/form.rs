//! The fake's reading of a Bot API request's parameters, in the three encodings Telegram
//! accepts: a JSON object, `application/x-www-form-urlencoded` (query string or body) and
//! `multipart/form-data`, where files arrive.

use std::collections::HashMap;

/// A file part of a multipart request.
#[derive(Debug, Clone)]
pub struct Upload {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// A request's parameters: every value as text (JSON numbers and arrays as their JSON), and
/// the uploaded files by field name.
#[derive(Debug, Default)]
pub struct Params {
    pub fields: HashMap<String, String>,
    pub files: HashMap<String, Upload>,
}

impl Params {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }
}

/// Reads `body` according to `content_type`, adding the query string's parameters; `None`
/// when the body cannot be read.
pub fn parse(content_type: &str, query: Option<&str>, body: &[u8]) -> Option<Params> {
    let mut params = Params::default();
    if let Some(query) = query {
        urlencoded(query.as_bytes(), &mut params);
    }
    let lower = content_type.to_ascii_lowercase();
    if body.is_empty() {
        return Some(params);
    }
    if lower.starts_with("application/json") {
        let value: serde_json::Value = serde_json::from_slice(body).ok()?;
        for (key, value) in value.as_object()? {
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            params.fields.insert(key.clone(), text);
        }
    } else if lower.starts_with("multipart/form-data") {
        let boundary = content_type
            .split(';')
            .filter_map(|p| p.trim().strip_prefix("boundary="))
            .next()?
            .trim_matches('"');
        multipart(boundary, body, &mut params)?;
    } else {
        urlencoded(body, &mut params);
    }
    Some(params)
}

fn urlencoded(body: &[u8], params: &mut Params) {
    for pair in body.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        let mut halves = pair.splitn(2, |&b| b == b'=');
        let key = percent_decode(halves.next().unwrap_or_default());
        let value = percent_decode(halves.next().unwrap_or_default());
        params.fields.insert(key, value);
    }
}

fn percent_decode(raw: &[u8]) -> String {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = raw
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                if let Some(byte) = hex {
                    out.push(byte);
                    i += 2;
                } else {
                    out.push(b'%');
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn multipart(boundary: &str, body: &[u8], params: &mut Params) -> Option<()> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut rest = body.get(find(body, delimiter)? + delimiter.len()..)?;
    loop {
        if rest.starts_with(b"--") {
            return Some(());
        }
        rest = rest.strip_prefix(b"\r\n")?;
        let end = find(rest, delimiter)?;
        let part = rest.get(..end)?.strip_suffix(b"\r\n")?;
        let split = find(part, b"\r\n\r\n")?;
        let headers = std::str::from_utf8(&part[..split]).ok()?;
        let content = &part[split + 4..];
        let mut name = None;
        let mut filename = None;
        for line in headers.split("\r\n") {
            let (header, value) = line.split_once(':')?;
            if header.eq_ignore_ascii_case("content-disposition") {
                name = attribute(value, "name");
                filename = attribute(value, "filename");
            }
        }
        let name = name?;
        match filename {
            Some(filename) => {
                let upload = Upload {
                    filename,
                    bytes: content.to_vec(),
                };
                params.files.insert(name, upload);
            }
            None => {
                let text = String::from_utf8(content.to_vec()).ok()?;
                params.fields.insert(name, text);
            }
        }
        rest = rest.get(end + delimiter.len()..)?;
    }
}

/// `name="value"` in a Content-Disposition header.
fn attribute(header: &str, key: &str) -> Option<String> {
    header.split(';').find_map(|piece| {
        let (k, v) = piece.trim().split_once('=')?;
        (k == key).then(|| v.trim_matches('"').to_string())
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
