//! The fake's reading of `parse_mode=HTML`, as the Bot API documents it: only its tags, every
//! tag closed in order, `&lt;` `&gt;` `&amp;` `&quot;` and numeric entities. What it refuses
//! gets Telegram's "can't parse entities" reasons; what it accepts becomes the plain text that
//! the length limits are counted on.

/// The tags the Bot API's HTML style accepts.
const TAGS: [&str; 15] = [
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "span",
    "tg-spoiler",
    "blockquote",
];

/// The plain text of `html`, or why Telegram would refuse it.
pub fn plain_text(html: &str) -> Result<String, String> {
    let mut out = String::with_capacity(html.len());
    let mut open: Vec<String> = Vec::new();
    let mut i = 0;
    while let Some(c) = html[i..].chars().next() {
        match c {
            '<' => {
                let Some(len) = html[i..].find('>') else {
                    return Err(format!("Unclosed start tag at byte offset {i}"));
                };
                let inner = &html[i + 1..i + len];
                if let Some(name) = inner.strip_prefix('/') {
                    let name = name.trim().to_ascii_lowercase();
                    match open.pop() {
                        Some(top) if top == name => {}
                        Some(top) => {
                            return Err(format!(
                                "Can't find end tag corresponding to start tag \"{top}\""
                            ))
                        }
                        None => return Err(format!("Unexpected end tag at byte offset {i}")),
                    }
                } else {
                    let name = inner
                        .split(|c: char| c.is_ascii_whitespace())
                        .next()
                        .unwrap_or("")
                        .to_ascii_lowercase();
                    if !TAGS.contains(&name.as_str()) && name != "tg-emoji" {
                        return Err(format!(
                            "Unsupported start tag \"{name}\" at byte offset {i}"
                        ));
                    }
                    open.push(name);
                }
                i += len + 1;
            }
            '&' => {
                let (text, used) = entity(&html[i..]);
                out.push_str(&text);
                i += used;
            }
            c => {
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    match open.pop() {
        Some(top) => Err(format!(
            "Can't find end tag corresponding to start tag \"{top}\""
        )),
        None => Ok(out),
    }
}

/// The text of the entity at the start of `s` and how many bytes it used; an unknown one is
/// a literal `&`, as Telegram keeps it.
fn entity(s: &str) -> (String, usize) {
    let Some(end) = s.find(';').filter(|&e| e <= 10) else {
        return ("&".into(), 1);
    };
    let name = &s[1..end];
    let named = match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "quot" => Some('"'),
        _ => None,
    };
    let numeric = || {
        let digits = name.strip_prefix('#')?;
        let code = match digits.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => digits.parse().ok()?,
        };
        char::from_u32(code)
    };
    match named.or_else(numeric) {
        Some(c) => (c.to_string(), end + 1),
        None => ("&".into(), 1),
    }
}

#[cfg(test)]
mod tests {
    use super::plain_text;

    #[test]
    fn accepts_escaped_text_and_balanced_tags() {
        assert_eq!(plain_text("a &lt;b&gt; &amp; c").unwrap(), "a <b> & c");
        assert_eq!(plain_text("<b>bold</b> <i>x</i>").unwrap(), "bold x");
        assert_eq!(plain_text("&#128512;&#x41;").unwrap(), "😀A");
        assert_eq!(plain_text("AT&T").unwrap(), "AT&T");
        assert_eq!(plain_text("<a href=\"x\">l</a>").unwrap(), "l");
    }

    #[test]
    fn refuses_what_telegram_refuses() {
        assert!(plain_text("<b>open")
            .unwrap_err()
            .contains("start tag \"b\""));
        assert!(plain_text("a < b")
            .unwrap_err()
            .contains("Unclosed start tag"));
        assert!(plain_text("</i>")
            .unwrap_err()
            .contains("Unexpected end tag"));
        assert!(plain_text("<foo>x</foo>")
            .unwrap_err()
            .contains("Unsupported start tag \"foo\""));
        assert!(plain_text("<b><i>x</b></i>").is_err());
    }
}
