//! A document as blocks (title, headings, paragraphs, tables), written out as Markdown
//! or as a Word file in the layout official documents use (GB/T 9704): 方正小标宋 title,
//! 黑体 headings, 楷体 subheadings, 仿宋 body text at 三号 (16 pt), A4 with the customary
//! margins, page numbers "— 1 —" in 四号宋体 at the bottom outside edge (right on odd pages,
//! left on even), table headers repeated on every page and rows kept whole.
//!
//! A machine without these fonts substitutes its own (LibreOffice: a CJK serif such as Noto
//! Serif CJK); the file still names them, so the office's own machine prints them.

use std::io::{Cursor, Read, Write};

use docx_rs::{
    AlignmentType, Docx, Footer, HeightRule, LineSpacing, PageMargin, PageNum, Paragraph, Run,
    RunFonts, SpecialIndentType, Table, TableCell, TableRow, WidthType,
};

use crate::error::ApiError;

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Title(String),
    /// A subtitle or note under the title, centred.
    Subtitle(String),
    /// 一、… in 黑体.
    Heading(String),
    /// （一）… in 楷体.
    Subheading(String),
    Paragraph(String),
    Table {
        head: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// Lines set to the right: the issuing body and the date.
    Signature(Vec<String>),
    /// A small note (how to check the form), in 五号 without indent.
    Note(String),
    /// Boxes to sign in, one per label (经办人签字, 责任领导签字…), each with room for the
    /// signature and a line for the date.
    SignBoxes(Vec<String>),
}

/// "12", "56.5": how a count prints in a paper.
pub fn number(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{}", n as i64)
    } else {
        format!("{n:.1}")
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    pub blocks: Vec<Block>,
    pub layout: Layout,
}

/// How a document is set on the page (sizes in half-points, lengths in twips).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Layout {
    /// Top, bottom, left, right.
    pub margins: [usize; 4],
    pub title: usize,
    pub subtitle: usize,
    pub body: usize,
    /// Exact line height of body text.
    pub line: i32,
    /// First-line indent of paragraphs: two characters.
    pub indent: i32,
}

impl Layout {
    /// An official report (GB/T 9704): 3.7/3.5/2.8/2.6 cm margins, 二号 title, 三号 text on
    /// a 28 pt line.
    pub const REPORT: Layout = Layout {
        margins: [2098, 1984, 1587, 1474],
        title: 44,
        subtitle: 28,
        body: 32,
        line: 560,
        indent: 640,
    };

    /// A form to print on one page and sign (对账销号单): 1.6–2 cm margins, 小二 title, 五号
    /// (10.5 pt) text on 14 pt lines, so that five evidence files and a reopened measure's
    /// cycles still fit one page.
    pub const FORM: Layout = Layout {
        margins: [907, 907, 1134, 1134],
        title: 36,
        subtitle: 24,
        body: 21,
        line: 280,
        indent: 420,
    };

    /// The width between the margins of an A4 page.
    fn text_width(&self) -> usize {
        11906 - self.margins[2] - self.margins[3]
    }
}

impl Default for Layout {
    fn default() -> Layout {
        Layout::REPORT
    }
}

impl Document {
    pub fn push(&mut self, block: Block) -> &mut Self {
        self.blocks.push(block);
        self
    }

    /// All text of the document, in order (for search and for tests).
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        for block in &self.blocks {
            match block {
                Block::Title(t)
                | Block::Subtitle(t)
                | Block::Heading(t)
                | Block::Subheading(t)
                | Block::Note(t)
                | Block::Paragraph(t) => {
                    out.push_str(t);
                    out.push('\n');
                }
                Block::Table { head, rows } => {
                    for row in std::iter::once(head).chain(rows) {
                        out.push_str(&row.join("\t"));
                        out.push('\n');
                    }
                }
                Block::Signature(lines) | Block::SignBoxes(lines) => {
                    for l in lines {
                        out.push_str(l);
                        out.push('\n');
                    }
                }
            }
        }
        out
    }

    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        for block in &self.blocks {
            match block {
                Block::Title(t) => out.push_str(&format!("# {}\n\n", md_text(t))),
                Block::Subtitle(t) => out.push_str(&format!("*{}*\n\n", md_text(t))),
                Block::Heading(t) => out.push_str(&format!("## {}\n\n", md_text(t))),
                Block::Subheading(t) => out.push_str(&format!("### {}\n\n", md_text(t))),
                Block::Paragraph(t) => out.push_str(&format!("{}\n\n", md_text(t))),
                Block::Note(t) => out.push_str(&format!("<small>{}</small>\n\n", md_text(t))),
                Block::Table { head, rows } => {
                    let line = |cells: &[String]| {
                        let cells: Vec<String> = cells.iter().map(|c| md_cell(c)).collect();
                        format!("| {} |\n", cells.join(" | "))
                    };
                    out.push_str(&line(head));
                    out.push_str(&format!("|{}\n", "---|".repeat(head.len())));
                    for row in rows {
                        out.push_str(&line(row));
                    }
                    out.push('\n');
                }
                Block::Signature(lines) => {
                    for l in lines {
                        out.push_str(&format!("<p align=\"right\">{}</p>\n", md_text(l)));
                    }
                    out.push('\n');
                }
                Block::SignBoxes(labels) => {
                    let cells: Vec<String> = labels.iter().map(|l| md_cell(l)).collect();
                    out.push_str(&format!("| {} |\n", cells.join(" | ")));
                    out.push_str(&format!("|{}\n", "---|".repeat(labels.len())));
                    out.push_str(&format!("|{}\n", " <br><br><br> |".repeat(labels.len())));
                    out.push_str(&format!(
                        "|{}\n\n",
                        " 年　　月　　日 |".repeat(labels.len())
                    ));
                }
            }
        }
        out
    }

    pub fn to_docx(&self) -> Result<Vec<u8>, ApiError> {
        let body_font = RunFonts::new()
            .east_asia("仿宋_GB2312")
            .ascii("Times New Roman")
            .hi_ansi("Times New Roman");
        // A4; 3.7 cm top, 3.5 cm bottom, 2.8 cm left, 2.6 cm right (GB/T 9704), in twips.
        // "— 1 —" in 四号 (14 pt) 宋体, a quarter em in from the outside edge.
        let page_number = |align: AlignmentType| {
            let dash = |t: &str| Run::new().add_text(t).size(28);
            Footer::new().add_paragraph(
                Paragraph::new()
                    .align(align)
                    .fonts(RunFonts::new().east_asia("宋体").ascii("宋体"))
                    .add_run(dash("— "))
                    .add_page_num(PageNum::new())
                    .add_run(dash(" —")),
            )
        };
        let mut docx = Docx::new()
            .footer(page_number(AlignmentType::Right))
            .even_footer(page_number(AlignmentType::Left))
            .default_fonts(body_font)
            .default_size(self.layout.body)
            .page_margin(
                PageMargin::new()
                    .top(self.layout.margins[0] as i32)
                    .bottom(self.layout.margins[1] as i32)
                    .left(self.layout.margins[2] as i32)
                    .right(self.layout.margins[3] as i32),
            );
        let layout = self.layout;
        let spacing = || {
            LineSpacing::new()
                .line(layout.line)
                .line_rule(docx_rs::LineSpacingType::Exact)
        };
        let indent = Some(SpecialIndentType::FirstLine(layout.indent));
        // A body line: on the layout's line height, indented two characters.
        let indented = || {
            Paragraph::new()
                .line_spacing(spacing())
                .indent(None, indent, None, None)
        };
        for block in &self.blocks {
            docx = match block {
                Block::Title(t) => docx.add_paragraph(
                    Paragraph::new()
                        .align(AlignmentType::Center)
                        .line_spacing(LineSpacing::new().before(240).after(240))
                        .add_run(
                            Run::new()
                                .add_text(t)
                                .size(layout.title)
                                .fonts(RunFonts::new().east_asia("方正小标宋简体")),
                        ),
                ),
                Block::Subtitle(t) => docx.add_paragraph(
                    Paragraph::new().align(AlignmentType::Center).add_run(
                        Run::new()
                            .add_text(t)
                            .size(layout.subtitle)
                            .fonts(RunFonts::new().east_asia("楷体_GB2312")),
                    ),
                ),
                Block::Heading(t) => docx.add_paragraph(
                    indented().add_run(
                        Run::new()
                            .add_text(t)
                            .fonts(RunFonts::new().east_asia("黑体")),
                    ),
                ),
                Block::Subheading(t) => docx.add_paragraph(
                    indented().add_run(
                        Run::new()
                            .add_text(t)
                            .fonts(RunFonts::new().east_asia("楷体_GB2312")),
                    ),
                ),
                Block::Paragraph(t) => {
                    docx.add_paragraph(indented().add_run(Run::new().add_text(t)))
                }
                Block::Table { head, rows } => {
                    docx.add_table(table(head, rows, layout.text_width()))
                }
                Block::Note(t) => docx.add_paragraph(
                    Paragraph::new()
                        .line_spacing(LineSpacing::new().before(60))
                        .add_run(Run::new().add_text(t).size(21)),
                ),
                Block::SignBoxes(labels) => docx.add_table(sign_boxes(labels, layout.text_width())),
                Block::Signature(lines) => {
                    let mut d = docx.add_paragraph(Paragraph::new());
                    for l in lines {
                        d = d.add_paragraph(
                            Paragraph::new()
                                .align(AlignmentType::Right)
                                .add_run(Run::new().add_text(l)),
                        );
                    }
                    d
                }
            };
        }
        let mut out = Cursor::new(Vec::new());
        docx.build()
            .pack(&mut out)
            .map_err(|e| ApiError::Internal(format!("writing the docx: {e}")))?;
        repeat_header_rows(&out.into_inner())
            .map_err(|e| ApiError::Internal(format!("writing the docx: {e}")))
    }
}

/// How a header row is marked while docx-rs writes it (it has no `tblHeader`): a minimum
/// height of one twip, which nothing else uses and which prints as nothing.
const HEADER_MARK: &str = r#"<w:trHeight w:val="1" w:hRule="atLeast" />"#;

/// Rewrites the marked header rows as rows Word and LibreOffice repeat on every page.
fn repeat_header_rows(docx: &[u8]) -> Result<Vec<u8>, String> {
    let mut from = zip::ZipArchive::new(Cursor::new(docx)).map_err(|e| e.to_string())?;
    let mut to = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..from.len() {
        let mut entry = from.by_index(i).map_err(|e| e.to_string())?;
        let name = entry.name().map_err(|e| e.to_string())?.to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
        if name == "word/document.xml" {
            let text = String::from_utf8(bytes).map_err(|e| e.to_string())?;
            bytes = text.replace(HEADER_MARK, "<w:tblHeader />").into_bytes();
        }
        to.start_file(name, options).map_err(|e| e.to_string())?;
        to.write_all(&bytes).map_err(|e| e.to_string())?;
    }
    Ok(to.finish().map_err(|e| e.to_string())?.into_inner())
}

/// The width between the margins of a report's A4 page, in twips.
#[cfg(test)]
const TEXT_WIDTH: usize = 11906 - 1587 - 1474;

/// The width a text needs on one line in a table cell (10.5 pt), in twips: a Chinese
/// character a full em, other characters a little over half.
fn line_width(text: &str) -> usize {
    text.chars()
        .map(|c| if c.is_ascii() { 120 } else { 210 })
        .sum()
}

/// The narrowest a cell may be without splitting what must stay whole: a code, a date or a
/// number (a run of up to 24 characters without Chinese or spaces), and a short Chinese word (a
/// light, a state, a unit of up to four characters).
fn unbreakable(text: &str) -> usize {
    let whole = if text.chars().count() <= 4 {
        line_width(text)
    } else {
        0
    };
    // A run longer than any column (a SHA-256, a URL) wraps where it must.
    let runs = text
        .split(|c: char| !c.is_ascii() || c.is_whitespace())
        .filter(|run| run.len() <= 24)
        .map(line_width)
        .max()
        .unwrap_or(0);
    whole.max(runs)
}

/// Cell margins, left and right, and a little room.
const CELL_PADDING: usize = 260;

/// Column widths in twips: each column at least as wide as its longest code, date, number
/// or short word (so none of them splits over two lines), and the room left shared out by
/// how much more each column holds (a long text column gets room, a code column none).
fn column_widths(head: &[String], rows: &[Vec<String>], text_width: usize) -> Vec<usize> {
    let cells =
        |i: usize| std::iter::once(&head[i]).chain(rows.iter().filter_map(move |r| r.get(i)));
    let mins: Vec<usize> = (0..head.len())
        .map(|i| {
            // A header may wrap (整改/状态), never below two characters a line.
            let header = line_width(&head[i]).min(2 * 210);
            // A column of short words (项目: 整改完成情况) keeps each whole; a text column is at
            // least four characters wide.
            let short_words = rows
                .iter()
                .filter_map(|r| r.get(i))
                .all(|t| t.chars().count() <= 6);
            let widest = rows
                .iter()
                .filter_map(|r| r.get(i))
                .map(|t| line_width(t))
                .max()
                .unwrap_or(0);
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|t| unbreakable(t))
                .max()
                .unwrap_or(0)
                .max(header)
                .max(if short_words {
                    widest
                } else {
                    widest.min(4 * 210)
                })
                + CELL_PADDING
        })
        .collect();
    // What a column holds beyond its narrowest: a code column nothing, a text column much.
    let weights: Vec<usize> = (0..head.len())
        .map(|i| {
            let widest = cells(i).map(|t| line_width(t)).max().unwrap_or(0) + CELL_PADDING;
            widest.saturating_sub(mins[i]).min(12_000) + 1
        })
        .collect();
    let needed: usize = mins.iter().sum();
    if needed >= text_width {
        // Too many columns for the page: narrower than their words, proportionally.
        return mins.iter().map(|m| text_width * m / needed).collect();
    }
    let room = text_width - needed;
    let sum: usize = weights.iter().sum::<usize>().max(1);
    mins.iter()
        .zip(&weights)
        .map(|(m, w)| m + room * w / sum)
        .collect()
}

/// A table in 10.5 pt (五号) 仿宋, the header bold; full text width.
fn table(head: &[String], rows: &[Vec<String>], text_width: usize) -> Table {
    let widths = column_widths(head, rows, text_width);
    let cell = |text: &str, bold: bool, width: usize| {
        let mut run = Run::new().add_text(text).size(21);
        if bold {
            run = run.bold();
        }
        TableCell::new()
            .width(width, WidthType::Dxa)
            .add_paragraph(Paragraph::new().add_run(run))
    };
    let row = |cells: &[String], bold: bool| {
        let row = TableRow::new(
            cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| cell(c, bold, *w))
                .collect(),
        )
        .cant_split();
        if bold {
            row.row_height(1.0).height_rule(HeightRule::AtLeast)
        } else {
            row
        }
    };
    let mut all = vec![row(head, true)];
    all.extend(rows.iter().map(|r| row(r, false)));
    Table::new(all)
        .set_grid(widths.clone())
        .width(text_width, WidthType::Dxa)
}

/// Boxes to sign in: the labels, then room to sign with 年 月 日 at its foot — a row kept
/// whole.
fn sign_boxes(labels: &[String], text_width: usize) -> Table {
    let width = text_width / labels.len().max(1);
    let cell = |text: &str, bold: bool| {
        let mut run = Run::new().add_text(text).size(21);
        if bold {
            run = run.bold();
        }
        TableCell::new()
            .width(width, WidthType::Dxa)
            .add_paragraph(Paragraph::new().add_run(run))
    };
    let n = labels.len();
    Table::new(vec![
        TableRow::new(labels.iter().map(|l| cell(l, true)).collect()).cant_split(),
        TableRow::new(
            (0..n)
                .map(|_| cell("年　　月　　日", false).vertical_align(docx_rs::VAlignType::Bottom))
                .collect(),
        )
        .cant_split()
        .row_height(800.0)
        .height_rule(HeightRule::AtLeast),
    ])
    .set_grid(vec![width; n])
    .width(text_width, WidthType::Dxa)
}

/// Characters Markdown would read as markup, escaped.
fn md_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if "\\`*_[]<>#|".contains(ch) {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

fn md_cell(text: &str) -> String {
    md_text(text).replace('\n', "<br>")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Document {
        let mut d = Document::default();
        d.push(Block::Title("整改情况报告".into()))
            .push(Block::Heading("一、总体情况".into()))
            .push(Block::Paragraph("共反馈问题10个。".into()))
            .push(Block::Table {
                head: vec!["单位".into(), "措施数".into()],
                rows: vec![vec!["综合科|办公室".into(), "14".into()]],
            });
        d
    }

    #[test]
    fn markdown_keeps_the_structure_and_escapes_markup() {
        let md = sample().to_markdown();
        assert!(md.starts_with("# 整改情况报告\n"));
        assert!(md.contains("## 一、总体情况"));
        assert!(md.contains("| 综合科\\|办公室 | 14 |"), "{md}");
    }

    #[test]
    fn no_column_is_narrower_than_its_codes_dates_and_lights() {
        let head: Vec<String> = ["序号", "问题编号", "整改措施", "完成时限", "预警"]
            .map(String::from)
            .to_vec();
        let long =
            "对照巡察反馈意见，逐条制定整改措施，明确责任领导、责任单位和完成时限，".repeat(4);
        let rows = vec![vec![
            "12".to_string(),
            "XC-2022-03-01".to_string(),
            long,
            "2026-08-31".to_string(),
            "红灯".to_string(),
        ]];
        let widths = column_widths(&head, &rows, TEXT_WIDTH);
        assert!(widths.iter().sum::<usize>() <= TEXT_WIDTH);
        assert!(widths[1] >= line_width("XC-2022-03-01") + CELL_PADDING);
        assert!(widths[3] >= line_width("2026-08-31") + CELL_PADDING);
        assert!(widths[4] >= line_width("红灯") + CELL_PADDING);
        assert!(widths[0] >= line_width("序号") + CELL_PADDING);
        // The long text takes the room left.
        assert!(widths[2] > widths[1] * 2, "{widths:?}");
        // The report's open items (seven columns) fit A4 with every code, date and light whole.
        let head: Vec<String> = [
            "序号",
            "问题编号",
            "整改措施",
            "牵头单位",
            "完成时限",
            "整改状态",
            "预警",
        ]
        .map(String::from)
        .to_vec();
        let row = [
            "2",
            "XC-2022-03-03",
            "制定党员积分制管理实施细则并恢复执行",
            "机关党支部",
            "2026-09-30（超期41个工作日）",
            "整改中",
            "红灯",
        ]
        .map(String::from)
        .to_vec();
        let seven = column_widths(&head, &[row], TEXT_WIDTH);
        assert!(seven.iter().sum::<usize>() <= TEXT_WIDTH);
        for (i, text) in [
            (1, "XC-2022-03-03"),
            (4, "2026-09-30"),
            (5, "整改中"),
            (6, "红灯"),
        ] {
            assert!(
                seven[i] >= line_width(text) + CELL_PADDING,
                "{i}: {seven:?}"
            );
        }
        assert!(seven[2] >= 7 * 210, "the measure gets room: {seven:?}");
    }

    #[test]
    fn header_rows_repeat_and_pages_are_numbered() {
        let bytes = sample().to_docx().unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        zip.by_name("word/document.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        assert_eq!(xml.matches("<w:tblHeader />").count(), 1, "{xml}");
        assert!(!xml.contains(HEADER_MARK));
        assert!(xml.contains("<w:cantSplit />"));
        let mut footers = String::new();
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).unwrap();
            if entry.name().unwrap().starts_with("word/footer") {
                entry.read_to_string(&mut footers).unwrap();
            }
        }
        assert!(footers.contains("PAGE"), "{footers}");
        assert!(footers.contains("— "), "{footers}");
    }

    #[test]
    fn the_docx_is_a_zip_with_the_text_and_an_east_asian_font() {
        let bytes = sample().to_docx().unwrap();
        assert!(bytes.starts_with(b"PK\x03\x04"));
        let text = String::from_utf8_lossy(&bytes);
        // Parts are deflated; the file list is not.
        assert!(text.contains("word/document.xml"));
    }
}
