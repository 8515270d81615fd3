//! A message before it is told: a catalogue id and named arguments.

use super::{render, Lang};

/// A message of the catalogues, with its arguments. Build one with [`text!`](crate::text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub id: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

/// What a message's placeable shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// Shown as it is: a code, a date, a name, a cause from a library.
    Plain(String),
    /// A count: Fluent picks the plural form by it.
    Number(i64),
    /// A name of the domain (a state, a kind, an action): its Chinese label, else the
    /// catalogue's entry `id` (`MeasureStatus-submitted`).
    Term { id: &'static str, zh: &'static str },
    /// A message inside a message.
    Text(Box<Text>),
    /// Several, joined as the language joins a list (、 or , ).
    List(Vec<Arg>),
    /// Told already, in each language (a library's phrase and its translation).
    Told { zh: String, en: String },
}

impl Text {
    pub fn new(id: &'static str) -> Text {
        Text { id, args: vec![] }
    }

    pub fn with(mut self, name: &'static str, value: impl Into<Arg>) -> Text {
        self.args.push((name, value.into()));
        self
    }

    /// Told in `lang`.
    pub fn told(&self, lang: Lang) -> String {
        render(self, lang)
    }
}

/// English, for logs and for whoever prints a `Text` without choosing.
impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&render(self, Lang::En))
    }
}

/// `text!("measure-code-taken", code = code)`: the message `id` with its named arguments.
#[macro_export]
macro_rules! text {
    ($id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::i18n::Text::new($id)$(.with(stringify!($name), $value))*
    };
}

impl From<String> for Arg {
    fn from(v: String) -> Arg {
        Arg::Plain(v)
    }
}

impl From<&str> for Arg {
    fn from(v: &str) -> Arg {
        Arg::Plain(v.to_string())
    }
}

impl From<&String> for Arg {
    fn from(v: &String) -> Arg {
        Arg::Plain(v.clone())
    }
}

impl From<Text> for Arg {
    fn from(v: Text) -> Arg {
        Arg::Text(Box::new(v))
    }
}

impl From<chrono::NaiveDate> for Arg {
    fn from(v: chrono::NaiveDate) -> Arg {
        Arg::Plain(v.to_string())
    }
}

impl From<&chrono::NaiveDate> for Arg {
    fn from(v: &chrono::NaiveDate) -> Arg {
        Arg::Plain(v.to_string())
    }
}

macro_rules! numbers {
    ($($t:ty),*) => {
        $(impl From<$t> for Arg {
            fn from(v: $t) -> Arg {
                Arg::Number(i64::try_from(v).unwrap_or(i64::MAX))
            }
        })*
    };
}

numbers!(i32, i64, u16, u32, u64, usize);

impl<T: Into<Arg>> From<Vec<T>> for Arg {
    fn from(v: Vec<T>) -> Arg {
        Arg::List(v.into_iter().map(Into::into).collect())
    }
}
