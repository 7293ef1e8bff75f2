//! `git aos completions`: shell completion for `git aos …` (inside git's own completion)
//! and for `git-aos …`, with workstream and task names. The scripts ask
//! `git-aos __complete` for candidates, so they follow the CLI as it is.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::ui::Ui;

/// Print a shell completion script for `git aos …` and `git-aos …`
///
/// bash and zsh hook into git's own completion (`git aos st<TAB>`), fish into its git
/// completion; all three complete workstream and task names. elvish and powershell get
/// clap's static script for `git-aos`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  echo 'source <(git aos completions bash)' >> ~/.bashrc
  git aos completions zsh > ~/.zfunc/_git-aos        # with `fpath+=~/.zfunc` before compinit
  git aos completions fish > ~/.config/fish/completions/git-aos.fish")]
pub struct CompletionsArgs {
    /// The shell to complete in
    shell: Shell,
}

/// Writes the completion script.
pub fn run(ui: &Ui, args: CompletionsArgs) -> anyhow::Result<()> {
    let script = match args.shell {
        Shell::Bash => BASH.to_owned(),
        Shell::Zsh => ZSH.to_owned(),
        Shell::Fish => FISH.to_owned(),
        other => {
            let mut cmd = super::Cli::command();
            // Generated into memory first: clap_complete panics on a closed pipe (`| head`).
            let mut script = Vec::new();
            clap_complete::generate(other, &mut cmd, "git-aos", &mut script);
            String::from_utf8_lossy(&script).into_owned()
        }
    };
    ui.data(script.trim_end());
    Ok(())
}

/// bash: `_git_aos` is what git's completion calls for `git aos`; `git-aos` gets its own.
const BASH: &str = r#"# git aos completion for bash: `git aos <TAB>` (through git's completion) and `git-aos <TAB>`.
# Load it from ~/.bashrc: source <(git aos completions bash)
_git_aos ()
{
	local IFS=$'\n'
	__gitcomp_nl "$(git-aos __complete -- "${words[@]:2:cword-2}" "$cur" 2>/dev/null)"
}

_git_aos_command ()
{
	local IFS=$'\n' cur=${COMP_WORDS[COMP_CWORD]}
	COMPREPLY=($(git-aos __complete -- "${COMP_WORDS[@]:1:COMP_CWORD-1}" "$cur" 2>/dev/null))
}
complete -o bashdefault -o default -F _git_aos_command git-aos
"#;

/// zsh: git's completion calls `_git-aos` for the user command `aos`.
const ZSH: &str = r#"#compdef git-aos
# git aos completion for zsh: `git aos <TAB>` (through git's completion) and `git-aos <TAB>`.
# Put this file on $fpath as `_git-aos` before `compinit`, or source it after.
zstyle ':completion:*:*:git:*' user-commands aos:'run coding agents on parallel workstreams'

_git-aos () {
	local -a candidates
	candidates=(${(f)"$(git-aos __complete -- ${words[2,CURRENT-1]} ${words[CURRENT]} 2>/dev/null)"})
	compadd -a candidates
}

if [[ $funcstack[1] == _git-aos ]]; then
	_git-aos "$@"
else
	compdef _git-aos git-aos
fi
"#;

/// fish: `git aos …` through fish's git completion, and `git-aos …`.
const FISH: &str = r#"# git aos completion for fish: `git aos <TAB>` and `git-aos <TAB>`.
# Save as ~/.config/fish/completions/git-aos.fish (and source it for `git aos` in new shells).
function __git_aos_candidates
    set -l words (commandline -opc)
    if test "$words[1]" = git
        set -e words[1..2]
    else
        set -e words[1]
    end
    git-aos __complete -- $words (commandline -ct) 2>/dev/null
end
complete -c git -n '__fish_use_subcommand' -f -a aos -d 'Run coding agents on parallel workstreams'
complete -c git -n '__fish_seen_subcommand_from aos' -f -a '(__git_aos_candidates)'
complete -c git-aos -f -a '(__git_aos_candidates)'
"#;
