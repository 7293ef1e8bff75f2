//! The result contract that closes every prompt but the reviewer's: where the
//! `AOS_RESULT` JSON goes, what each field means, and the fenced `aos-result` fallback.

use std::path::Path;

use super::markdown::{Doc, code, fenced};
use crate::plan;

/// What the prompt says about `outputs`.
#[derive(Debug, Clone, Copy)]
pub(super) enum Outputs<'a> {
    /// Nothing is promised: leave it empty.
    None,
    /// The task promises outputs, but this stage is not the one that records them.
    NotThisStage,
    /// The values the task promises.
    Promised(&'a [plan::Output]),
}

/// Adds the `Result` section: the JSON to write to `result_file`, each field, and the
/// fenced alternative. `summary` is the example's summary text.
pub(super) fn contract(doc: &mut Doc, result_file: &Path, outputs: Outputs<'_>, summary: &str) {
    doc.section("Result");
    doc.block(&format!(
        "When you stop, write your result as JSON to {} (the path is also in the \
         environment variable `AOS_RESULT`):",
        code(&result_file.display().to_string())
    ));
    let example_outputs = match outputs {
        Outputs::Promised(promised) if !promised.is_empty() => {
            let pairs: Vec<String> = promised
                .iter()
                .map(|o| format!("\"{}\": \"…\"", o.name))
                .collect();
            format!("{{{}}}", pairs.join(", "))
        }
        _ => "{}".to_owned(),
    };
    doc.fenced(
        "json",
        &format!(
            "{{\n  \"status\": \"done\",\n  \"summary\": \"{summary}\",\n  \
             \"question\": null,\n  \"outputs\": {example_outputs},\n  \"learnings\": [],\n  \
             \"decisions\": [],\n  \"issues\": []\n}}"
        ),
    );
    let outputs = match outputs {
        Outputs::NotThisStage => {
            "`outputs`: leave it empty; the implementer records this task's outputs.".to_owned()
        }
        Outputs::Promised(promised) if !promised.is_empty() => {
            let promised: Vec<String> = promised
                .iter()
                .map(|o| format!("{} (the plan expects {})", code(&o.name), code(&o.value)))
                .collect();
            format!(
                "`outputs`: the values this task promises, by name: {}. Later tasks receive them.",
                promised.join(", ")
            )
        }
        Outputs::Promised(_) => "`outputs`: this task promises none; leave it empty.".to_owned(),
        Outputs::None => "`outputs`: nothing is promised; leave it empty.".to_owned(),
    };
    doc.bullets([
        "`status`: `done` when the work is complete; `blocked` when you need an answer from \
         a person before you can go on (put it in `question`); `failed` when you cannot do \
         it (say why in `summary`)."
            .to_owned(),
        outputs,
        "`learnings`: facts about this codebase worth knowing in later tasks.".to_owned(),
        "`decisions`: choices you made that later work must respect.".to_owned(),
        "`issues`: problems you noticed and left alone.".to_owned(),
    ]);
    doc.block(
        "If you cannot write that file, end your final message with the same JSON in a \
         fenced block whose info string is `aos-result`:",
    );
    doc.block(&fenced(
        "aos-result",
        "{\"status\": \"done\", \"summary\": \"…\"}",
    ));
}
