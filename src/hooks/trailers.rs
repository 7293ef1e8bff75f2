//! Adding trailers to a commit message file the way
//! `git interpret-trailers --in-place --if-exists doNothing` does, without starting git:
//! after the message and before the comments git shows in the editor, in the message's
//! trailer block when it has one, never a key the block already has.

/// Lines git treats as trailers without being configured, which let a block of mostly
/// prose count as a trailer block (git's 25% rule).
const GIT_GENERATED: &[&str] = &["Signed-off-by: ", "(cherry picked from commit "];

/// Returns `message` with each `(key, value)` of `trailers` added unless the trailer
/// block already has that key, or `None` when nothing changes. A message with no text
/// yet (only comments, as the editor starts) is left alone: trailers alone would make
/// git take an untouched message for a real one and commit instead of aborting.
/// `comment` is the comment prefix (`core.commentChar`, `#` by default).
pub fn add(message: &str, trailers: &[(&str, &str)], comment: &str) -> Option<String> {
    let (content, tail) = split_tail(message, comment);
    if content.trim().is_empty() {
        return None;
    }
    let lines: Vec<&str> = content.lines().collect();
    let block = trailer_block(&lines, comment);
    let existing: Vec<String> = block
        .map(|start| {
            lines[start..]
                .iter()
                .filter_map(|l| key_of(l))
                .map(str::to_ascii_lowercase)
                .collect()
        })
        .unwrap_or_default();
    let missing: Vec<&(&str, &str)> = trailers
        .iter()
        .filter(|(k, _)| !existing.contains(&k.to_ascii_lowercase()))
        .collect();
    if missing.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(message.len() + 64);
    out.push_str(content);
    if !content.ends_with('\n') {
        out.push('\n');
    }
    if block.is_none() {
        out.push('\n');
    }
    for (key, value) in missing {
        out.push_str(&format!("{key}: {value}\n"));
    }
    out.push_str(tail);
    Some(out)
}

/// Splits a message file into the message and what git ignores at its end: everything
/// from the scissors line on, and the comment and blank lines before it.
fn split_tail<'m>(message: &'m str, comment: &str) -> (&'m str, &'m str) {
    let scissors = format!("{comment} ------------------------ >8 ------------------------");
    let mut end = message.len();
    let mut offset = 0;
    for line in message.split_inclusive('\n') {
        if line.trim_end_matches(['\n', '\r']) == scissors {
            end = offset;
            break;
        }
        offset += line.len();
    }
    let mut cut = end;
    for line in message[..end].split_inclusive('\n').rev() {
        if line.trim().is_empty() || line.starts_with(comment) {
            cut -= line.len();
        } else {
            break;
        }
    }
    message.split_at(cut)
}

/// Returns the index of the first line of the message's trailer block, if it has one:
/// the last paragraph, unless it is the subject, when its lines are all trailers (or
/// continuations) or at least a quarter are and one of them is git-generated.
fn trailer_block(lines: &[&str], comment: &str) -> Option<usize> {
    let start = lines.iter().rposition(|l| l.trim().is_empty())? + 1;
    if lines[..start]
        .iter()
        .all(|l| l.trim().is_empty() || l.starts_with(comment))
    {
        return None;
    }
    let (mut trailers, mut other, mut generated) = (0, 0, false);
    let mut after_trailer = false;
    for line in lines[start..].iter().filter(|l| !l.starts_with(comment)) {
        if after_trailer && line.starts_with([' ', '\t']) {
            continue;
        }
        after_trailer = key_of(line).is_some();
        if after_trailer {
            trailers += 1;
            generated |= GIT_GENERATED.iter().any(|g| line.starts_with(g));
        } else if GIT_GENERATED.iter().any(|g| line.starts_with(g)) {
            trailers += 1;
            generated = true;
        } else {
            other += 1;
        }
    }
    let is_block = trailers > 0 && (other == 0 || (generated && trailers * 3 >= other));
    is_block.then_some(start)
}

/// Returns the key of a trailer line (`Key: value`), if the line is one.
fn key_of(line: &str) -> Option<&str> {
    let (key, _) = line.split_once(':')?;
    let key = key.trim_end();
    let ok = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    ok.then_some(key)
}

#[cfg(test)]
mod tests;
