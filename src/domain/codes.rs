//! Business codes (问题编号/措施编号): `XC-2022-03` → findings `XC-2022-03-01`, `-02`…;
//! finding `XC-2022-03-01` → measures `XC-2022-03-01-1`, `-2`….

/// The first free finding code of an inspection, given the codes already taken.
pub fn next_finding_code<'a>(
    inspection_code: &str,
    taken: impl IntoIterator<Item = &'a str>,
) -> String {
    next_code(inspection_code, taken, 2)
}

/// The first free measure code of a finding, given the codes already taken.
pub fn next_measure_code<'a>(
    finding_code: &str,
    taken: impl IntoIterator<Item = &'a str>,
) -> String {
    next_code(finding_code, taken, 1)
}

fn next_code<'a>(parent: &str, taken: impl IntoIterator<Item = &'a str>, width: usize) -> String {
    let prefix = format!("{parent}-");
    let highest = taken
        .into_iter()
        .filter_map(|c| c.strip_prefix(&prefix))
        .filter_map(|rest| rest.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    format!("{prefix}{:0width$}", highest + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finding_codes_count_up_from_the_highest_taken() {
        assert_eq!(next_finding_code("XC-2022-03", []), "XC-2022-03-01");
        assert_eq!(
            next_finding_code("XC-2022-03", ["XC-2022-03-01", "XC-2022-03-07", "其他"]),
            "XC-2022-03-08"
        );
    }

    #[test]
    fn measure_codes_ignore_foreign_and_non_numeric_codes() {
        assert_eq!(next_measure_code("XC-2022-03-01", []), "XC-2022-03-01-1");
        assert_eq!(
            next_measure_code(
                "XC-2022-03-01",
                ["XC-2022-03-01-1", "XC-2022-03-01-a", "K01-9"]
            ),
            "XC-2022-03-01-2"
        );
    }
}
