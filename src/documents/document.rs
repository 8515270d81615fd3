//! A document as blocks (title, headings, paragraphs, tables), written out as Markdown
//! or as a Word file in the layout official documents use: 方正小标宋 title, 黑体
//! headings, 仿宋 body text at 三号 (16 pt), A4 with the customary margins.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, Docx, LineSpacing, PageMargin, Paragraph, Run, RunFonts, SpecialIndentType,
    Table, TableCell, TableRow, WidthType,
};

use crate::error::ApiError;

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Title(String),
    /// A subtitle or note under the title, centred.
    Subtitle(String),
    Heading(String),
    Paragraph(String),
    Table {
        head: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// Lines set to the right: the issuing body and the date.
    Signature(Vec<String>),
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
                Block::Title(t) | Block::Subtitle(t) | Block::Heading(t) | Block::Paragraph(t) => {
                    out.push_str(t);
                    out.push('\n');
                }
                Block::Table { head, rows } => {
                    for row in std::iter::once(head).chain(rows) {
                        out.push_str(&row.join("\t"));
                        out.push('\n');
                    }
                }
                Block::Signature(lines) => {
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
                Block::Paragraph(t) => out.push_str(&format!("{}\n\n", md_text(t))),
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
        let mut docx = Docx::new()
            .default_fonts(body_font)
            .default_size(32)
            .page_margin(
                PageMargin::new()
                    .top(2098)
                    .bottom(1984)
                    .left(1587)
                    .right(1474),
            );
        let spacing = || {
            LineSpacing::new()
                .line(560)
                .line_rule(docx_rs::LineSpacingType::Exact)
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
                                .size(44)
                                .fonts(RunFonts::new().east_asia("方正小标宋简体")),
                        ),
                ),
                Block::Subtitle(t) => docx.add_paragraph(
                    Paragraph::new().align(AlignmentType::Center).add_run(
                        Run::new()
                            .add_text(t)
                            .size(28)
                            .fonts(RunFonts::new().east_asia("楷体_GB2312")),
                    ),
                ),
                Block::Heading(t) => docx.add_paragraph(
                    Paragraph::new()
                        .line_spacing(spacing())
                        .indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
                        .add_run(
                            Run::new()
                                .add_text(t)
                                .fonts(RunFonts::new().east_asia("黑体")),
                        ),
                ),
                Block::Paragraph(t) => docx.add_paragraph(
                    Paragraph::new()
                        .line_spacing(spacing())
                        .indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
                        .add_run(Run::new().add_text(t)),
                ),
                Block::Table { head, rows } => docx.add_table(table(head, rows)),
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
        Ok(out.into_inner())
    }
}

/// The width between the margins of an A4 page, in twips.
const TEXT_WIDTH: usize = 11906 - 1587 - 1474;

/// Column widths in twips, shared out by how much each column holds (a long text column
/// gets room, a number column little; a Chinese character is two wide).
fn column_widths(head: &[String], rows: &[Vec<String>]) -> Vec<usize> {
    let weight = |i: usize| {
        std::iter::once(&head[i])
            .chain(rows.iter().filter_map(|r| r.get(i)))
            .map(|t| {
                t.chars()
                    .map(|c| if c.is_ascii() { 1 } else { 2 })
                    .sum::<usize>()
            })
            .max()
            .unwrap_or(1)
            .clamp(6, 30)
    };
    let weights: Vec<usize> = (0..head.len()).map(weight).collect();
    let sum: usize = weights.iter().sum::<usize>().max(1);
    weights.iter().map(|w| TEXT_WIDTH * w / sum).collect()
}

/// A table in 10.5 pt (五号) 仿宋, the header bold; full text width.
fn table(head: &[String], rows: &[Vec<String>]) -> Table {
    let widths = column_widths(head, rows);
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
        TableRow::new(
            cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| cell(c, bold, *w))
                .collect(),
        )
    };
    let mut all = vec![row(head, true)];
    all.extend(rows.iter().map(|r| row(r, false)));
    Table::new(all)
        .set_grid(widths.clone())
        .width(TEXT_WIDTH, WidthType::Dxa)
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
    fn the_docx_is_a_zip_with_the_text_and_an_east_asian_font() {
        let bytes = sample().to_docx().unwrap();
        assert!(bytes.starts_with(b"PK\x03\x04"));
        let text = String::from_utf8_lossy(&bytes);
        // Parts are deflated; the file list is not.
        assert!(text.contains("word/document.xml"));
    }
}
