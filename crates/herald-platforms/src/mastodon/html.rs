//! Turning a status's rendered HTML `content` back into plain text, for reconciliation on
//! instances that cannot show a status's source. Mastodon renders plain text as `<p>`
//! paragraphs (a blank line between them), `<br />` line breaks, escaped `& < > " '`, and
//! links, hashtags and mentions wrapped in tags whose text is kept (a remote mention loses its
//! domain, which is why a failed comparison means "cannot tell", never "not there").

/// The text of `content`: paragraphs joined by a blank line, `<br>` as a newline, other
/// tags dropped, the common entities unescaped.
pub(super) fn to_plain_text(content: &str) -> String {
    let mut out = String::with_capacity(content.len());
    let mut rest = content;
    let mut paragraphs = 0usize;
    while let Some(open) = rest.find('<') {
        out.push_str(&unescape(&rest[..open]));
        let Some(close) = rest[open..].find('>') else {
            out.push_str(&unescape(&rest[open..]));
            return out;
        };
        let tag = rest[open + 1..open + close]
            .trim()
            .trim_end_matches('/')
            .trim();
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match name.as_str() {
            "br" => out.push('\n'),
            "p" => {
                if paragraphs > 0 {
                    out.push_str("\n\n");
                }
                paragraphs += 1;
            }
            _ => {}
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(&unescape(rest));
    out
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::to_plain_text;

    #[test]
    fn paragraphs_breaks_links_and_entities() {
        let html = "<p>Hello &amp; welcome<br />to <a href=\"https://x.org/a\"><span class=\"invisible\">https://</span><span>x.org/a</span></a></p><p>&lt;3 &quot;you&quot; &#39;all&#39;</p>";
        assert_eq!(
            to_plain_text(html),
            "Hello & welcome\nto https://x.org/a\n\n<3 \"you\" 'all'"
        );
        assert_eq!(to_plain_text("<p>plain</p>"), "plain");
        assert_eq!(to_plain_text("no tags"), "no tags");
    }
}
