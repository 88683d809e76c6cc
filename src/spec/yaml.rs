//! The YAML event stream the decoder reads: granit-parser events (the parser serde-saphyr uses,
//! so the accepted YAML is what it was) with byte spans, aliases replayed, tags classified, and
//! the budgets that refuse YAML bombs. One pass over the text; no document tree is built.
//!
//! Budgets (the limits serde-saphyr applied before, with the node and event caps raised so
//! 10 000 every-key jails fit): events, nodes, depth, aliases, anchors, the alias/anchor ratio,
//! the events copied to replay aliases, and scalar bytes. A breach ends the parse (a [`Fatal`]).

use std::borrow::Cow;
use std::collections::HashMap;
use std::rc::Rc;

use serde_saphyr::granit_parser::{Event, Options, Parser, ScalarStyle, ScanError, StrInput};

/// Byte offset and length in the source.
pub type Span = (usize, usize);

/// Most YAML nodes (sequences, mappings, scalars) a spec may hold, aliases replayed included.
pub const MAX_NODES: usize = 1_000_000;
/// Most parser events a spec may produce.
pub const MAX_EVENTS: usize = 2_000_000;
/// serde-saphyr's defaults, unchanged: they are what refuses billion-laughs documents.
const MAX_DEPTH: usize = 64;
const MAX_ALIASES: usize = 50_000;
const MAX_ANCHORS: usize = 50_000;
const MAX_RECORDED: usize = 1_000_000;
const MAX_SCALAR_BYTES: usize = 64 * 1024 * 1024;
const RATIO_MIN_ALIASES: usize = 100;
const RATIO: usize = 10;

/// Core-schema tags that keep their plain meaning; the type check still applies to them.
const CORE_TAGS: &[&str] = &["str", "bool", "int", "float", "null", "seq", "map"];

/// How a node was tagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    None,
    /// `!!str`, `!!int`, …: the suffix.
    Core(&'static str),
    /// Any other tag: already reported by [`Events`].
    Refused,
}

/// One event as the decoder sees it.
#[derive(Debug, Clone)]
pub enum Ev<'a> {
    Scalar {
        text: Cow<'a, str>,
        style: ScalarStyle,
        tag: Tag,
    },
    SeqStart,
    SeqEnd,
    MapStart,
    MapEnd,
    /// The end of the (only) document.
    End,
}

type Item<'a> = (Ev<'a>, Span);

/// Why the stream ended early: the decoder stops and the message comes from
/// [`super::diagnostics::fatal`].
#[derive(Debug)]
pub enum Fatal {
    Scan(ScanError),
    Budget(String),
    /// A second document starts at this span.
    SecondDocument(Span),
}

/// A tag the stream refused, as written, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedTag {
    /// The tag as written (`!!binary`, `!secret`, `!<tag:yaml.org,2002:binary>`).
    pub text: String,
    pub span: Span,
    /// `!!binary` (decodes base64) rather than an unknown tag (dropped silently).
    pub binary: bool,
    /// A core tag on the wrong kind of node (`!!str` on a mapping).
    pub misplaced: bool,
}

struct Recorder<'a> {
    id: usize,
    depth: usize,
    items: Vec<Item<'a>>,
}

/// The event stream of one document.
pub struct Events<'a> {
    src: &'a str,
    parser: Parser<'a, StrInput<'a>>,
    peeked: Option<Item<'a>>,
    anchors: HashMap<usize, Rc<[Item<'a>]>>,
    recorders: Vec<Recorder<'a>>,
    replays: Vec<(Rc<[Item<'a>]>, usize, Span)>,
    /// Tags refused so far, in source order.
    pub refused_tags: Vec<RefusedTag>,
    depth: usize,
    events: usize,
    nodes: usize,
    aliases: usize,
    recorded: usize,
    scalar_bytes: usize,
}

impl<'a> Events<'a> {
    pub fn new(src: &'a str) -> Self {
        let mut options = Options::default();
        options.emit_comments = false;
        Self {
            src,
            parser: Parser::with_options(StrInput::new(src), options),
            peeked: None,
            anchors: HashMap::new(),
            recorders: Vec::new(),
            replays: Vec::new(),
            refused_tags: Vec::new(),
            depth: 0,
            events: 0,
            nodes: 0,
            aliases: 0,
            recorded: 0,
            scalar_bytes: 0,
        }
    }

    /// Moves to the document's root node. `Ok(false)`: the stream holds no document.
    pub fn start(&mut self) -> Result<bool, Fatal> {
        loop {
            let Some(item) = self.raw()? else {
                return Ok(false);
            };
            match item.0 {
                Event::StreamStart => {}
                Event::DocumentStart(..) => {
                    return Ok(true);
                }
                _ => return Ok(false),
            }
        }
    }

    /// After the root node: the document must end, and no second one may start.
    pub fn finish(&mut self) -> Result<(), Fatal> {
        // The parser ends a document after its one root node; anything else is its bug, and
        // is refused rather than ignored.
        if !matches!(self.take()?.0, Ev::End) {
            return Err(Fatal::Budget("content after the root node".to_owned()));
        }
        while let Some((event, span)) = self.raw()? {
            match event {
                Event::StreamEnd => break,
                Event::DocumentStart(..) => {
                    // Where the second document's content starts.
                    let at = match self.raw()? {
                        Some((_, s)) => s,
                        None => span,
                    };
                    return Err(Fatal::SecondDocument(at));
                }
                _ => {}
            }
        }
        if self.aliases >= RATIO_MIN_ALIASES && self.aliases > RATIO * self.anchors.len() {
            return Err(Fatal::Budget(format!(
                "alias/anchor ratio: {} aliases for {} anchors",
                self.aliases,
                self.anchors.len()
            )));
        }
        Ok(())
    }

    fn raw(&mut self) -> Result<Option<(Event<'a>, Span)>, Fatal> {
        let Some(item) = self.parser.next_event() else {
            return Ok(None);
        };
        let (event, span) = item.map_err(Fatal::Scan)?;
        self.events += 1;
        if self.events > MAX_EVENTS {
            return Err(Fatal::Budget(format!("events: {}", self.events)));
        }
        let start = span.start.byte_offset().unwrap_or(0);
        let len = span
            .byte_range()
            .map_or(0, |r| r.end.saturating_sub(r.start));
        if let Some(tag) = event_tag(&event) {
            let full = format!("{}{}", tag.handle(), tag.suffix());
            let core = full.strip_prefix("tag:yaml.org,2002:");
            // A core tag must also fit the node: `!!seq` on a sequence, `!!map` on a mapping,
            // a scalar tag on a scalar.
            let fits = |name: &str| match &event {
                Event::SequenceStart(..) => name == "seq",
                Event::MappingStart(..) => name == "map",
                _ => name != "seq" && name != "map",
            };
            if !core.is_some_and(|name| CORE_TAGS.contains(&name) && fits(name)) {
                let whole = span.tag_span().unwrap_or(span);
                let text = whole
                    .slice(self.src)
                    .map_or_else(|| full.clone(), str::to_owned);
                let offset = whole.start.byte_offset().unwrap_or(0);
                let tlen = whole
                    .byte_range()
                    .map_or(0, |r| r.end.saturating_sub(r.start));
                self.refused_tags.push(RefusedTag {
                    text,
                    span: (offset, tlen),
                    binary: core == Some("binary"),
                    misplaced: core.is_some_and(|name| CORE_TAGS.contains(&name)),
                });
            }
        }
        Ok(Some((event, (start, len))))
    }

    /// Looks at the next event without taking it.
    pub fn peek(&mut self) -> Result<&Ev<'a>, Fatal> {
        if self.peeked.is_none() {
            self.peeked = Some(self.pull()?);
        }
        match &self.peeked {
            Some((ev, _)) => Ok(ev),
            None => Ok(&Ev::End),
        }
    }

    /// The next event, aliases replayed.
    pub fn take(&mut self) -> Result<Item<'a>, Fatal> {
        match self.peeked.take() {
            Some(item) => Ok(item),
            None => self.pull(),
        }
    }

    fn pull(&mut self) -> Result<Item<'a>, Fatal> {
        let item = if let Some((items, pos, at)) = self.replays.last_mut() {
            let (ev, _) = items[*pos].clone();
            *pos += 1;
            let at = *at;
            if *pos == items.len() {
                self.replays.pop();
            }
            (ev, at)
        } else {
            self.live()?
        };
        match item.0 {
            Ev::SeqStart | Ev::MapStart => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(Fatal::Budget(format!("depth: {}", self.depth)));
                }
            }
            Ev::SeqEnd | Ev::MapEnd => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
        if matches!(item.0, Ev::Scalar { .. } | Ev::SeqStart | Ev::MapStart) {
            self.nodes += 1;
            if self.nodes > MAX_NODES {
                return Err(Fatal::Budget(format!("nodes: {}", self.nodes)));
            }
        }
        self.record(&item)?;
        Ok(item)
    }

    /// The next event from the parser; an alias starts a replay and yields its first event.
    fn live(&mut self) -> Result<Item<'a>, Fatal> {
        loop {
            let Some((event, span)) = self.raw()? else {
                return Ok((Ev::End, (self.src.len(), 0)));
            };
            let (ev, anchor) = match event {
                Event::Scalar(text, style, anchor, tag) => {
                    self.scalar_bytes += text.len();
                    if self.scalar_bytes > MAX_SCALAR_BYTES {
                        return Err(Fatal::Budget(format!(
                            "scalar bytes: {}",
                            self.scalar_bytes
                        )));
                    }
                    (
                        Ev::Scalar {
                            text,
                            style,
                            tag: classify(tag.as_deref()),
                        },
                        anchor,
                    )
                }
                Event::SequenceStart(_, anchor, _) => (Ev::SeqStart, anchor),
                Event::MappingStart(_, anchor, _) => (Ev::MapStart, anchor),
                Event::SequenceEnd => (Ev::SeqEnd, 0),
                Event::MappingEnd => (Ev::MapEnd, 0),
                Event::DocumentEnd | Event::StreamEnd => (Ev::End, 0),
                Event::Alias(id) => {
                    self.aliases += 1;
                    if self.aliases > MAX_ALIASES {
                        return Err(Fatal::Budget(format!("aliases: {}", self.aliases)));
                    }
                    let Some(items) = self.anchors.get(&id).cloned() else {
                        return Err(Fatal::Budget(format!(
                            "an alias at {} refers to an unfinished anchor",
                            span.0
                        )));
                    };
                    let (first, _) = items[0].clone();
                    if items.len() > 1 {
                        self.replays.push((items, 1, span));
                    }
                    return Ok((first, span));
                }
                _ => continue,
            };
            if anchor != 0 {
                if self.anchors.len() >= MAX_ANCHORS {
                    return Err(Fatal::Budget(format!("anchors: {}", self.anchors.len())));
                }
                match ev {
                    Ev::Scalar { .. } => {
                        self.anchors
                            .insert(anchor, Rc::from(vec![(ev.clone(), span)]));
                    }
                    _ => self.recorders.push(Recorder {
                        id: anchor,
                        depth: 0,
                        items: Vec::new(),
                    }),
                }
            }
            return Ok((ev, span));
        }
    }

    /// Copies an event into every anchored node still open.
    fn record(&mut self, item: &Item<'a>) -> Result<(), Fatal> {
        if self.recorders.is_empty() {
            return Ok(());
        }
        self.recorded += self.recorders.len();
        if self.recorded > MAX_RECORDED {
            return Err(Fatal::Budget(format!(
                "recorded anchor events: {}",
                self.recorded
            )));
        }
        let mut done = Vec::new();
        for (i, r) in self.recorders.iter_mut().enumerate() {
            r.items.push(item.clone());
            match item.0 {
                Ev::SeqStart | Ev::MapStart => r.depth += 1,
                Ev::SeqEnd | Ev::MapEnd => {
                    r.depth -= 1;
                    if r.depth == 0 {
                        done.push(i);
                    }
                }
                _ => {}
            }
        }
        for i in done.into_iter().rev() {
            let r = self.recorders.remove(i);
            self.anchors.insert(r.id, Rc::from(r.items));
        }
        Ok(())
    }

    /// Skips the rest of a node whose first event was `first`.
    pub fn skip_rest(&mut self, first: &Ev<'a>) -> Result<(), Fatal> {
        if !matches!(first, Ev::SeqStart | Ev::MapStart) {
            return Ok(());
        }
        let mut depth = 1usize;
        while depth > 0 {
            match self.take()?.0 {
                Ev::SeqStart | Ev::MapStart => depth += 1,
                Ev::SeqEnd | Ev::MapEnd => depth -= 1,
                Ev::End => break,
                Ev::Scalar { .. } => {}
            }
        }
        Ok(())
    }
}

fn event_tag<'e>(event: &'e Event<'_>) -> Option<&'e serde_saphyr::granit_parser::Tag> {
    match event {
        Event::Scalar(_, _, _, tag)
        | Event::SequenceStart(_, _, tag)
        | Event::MappingStart(_, _, tag) => tag.as_deref(),
        _ => None,
    }
}

fn classify(tag: Option<&serde_saphyr::granit_parser::Tag>) -> Tag {
    let Some(tag) = tag else { return Tag::None };
    let full = format!("{}{}", tag.handle(), tag.suffix());
    match full
        .strip_prefix("tag:yaml.org,2002:")
        .and_then(|name| CORE_TAGS.iter().find(|c| **c == name))
    {
        Some(core) => Tag::Core(core),
        None => Tag::Refused,
    }
}
