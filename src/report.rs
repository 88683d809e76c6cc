//! How errors are printed: miette's graphical report at a fixed width, no links, colour only when
//! asked, and at most [`MAX_SHOWN`] diagnostics of one report in full. It reads diagnostics only
//! through miette's trait; the error types ([`crate::error`]) know nothing of it but the limit.

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

/// Most diagnostics printed in full in one report. Rendering each one makes miette find its
/// line by scanning the source from the start, so thousands of them on a large spec took
/// quadratic time; the rest are counted in one closing line.
pub const MAX_SHOWN: usize = 50;

/// Renders any diagnostic the way `jailgen` prints it: graphical, unicode, 100 columns, colour
/// only when asked. Error golden files are this function's output with `color = false`.
pub fn render_report(diag: &dyn Diagnostic, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    if handler.render_report(&mut out, diag).is_err() {
        out = format!("error: {diag}\n");
    }
    out
}
