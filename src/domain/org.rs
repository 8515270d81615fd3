//! The organisation as the offices are organised: the unit tree (a 局 and its 科室) and
//! the people directory (who works where, which units a 分管领导 oversees). Pure; a
//! caller's scope is computed here from a snapshot the service keeps.

use std::collections::{HashMap, HashSet};

use super::enums::HolderRole;

/// A unit as the tree needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitNode {
    pub id: String,
    pub code: String,
    pub name: String,
    pub parent_id: Option<String>,
}

/// An entry of the people directory (人员名录).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub sub: String,
    pub name: String,
    pub title: Option<String>,
    pub unit_id: Option<String>,
    /// The units a leader oversees (分管), beside its own.
    pub oversees_unit_ids: Vec<String>,
}

impl Person {
    /// The units the person acts for: its own and those it oversees.
    pub fn roots(&self) -> Vec<String> {
        self.unit_id
            .iter()
            .chain(self.oversees_unit_ids.iter())
            .cloned()
            .collect()
    }
}

/// One snapshot of the tree and the directory.
#[derive(Debug, Clone, Default)]
pub struct Organisation {
    units: HashMap<String, UnitNode>,
    by_code: HashMap<String, String>,
    children: HashMap<String, Vec<String>>,
    people: HashMap<String, Person>,
}

impl Organisation {
    pub fn new(units: Vec<UnitNode>, people: Vec<Person>) -> Organisation {
        let mut children: HashMap<String, Vec<String>> = HashMap::new();
        for unit in &units {
            if let Some(parent) = &unit.parent_id {
                children
                    .entry(parent.clone())
                    .or_default()
                    .push(unit.id.clone());
            }
        }
        for kids in children.values_mut() {
            kids.sort();
        }
        Organisation {
            by_code: units
                .iter()
                .map(|u| (u.code.clone(), u.id.clone()))
                .collect(),
            units: units.into_iter().map(|u| (u.id.clone(), u)).collect(),
            children,
            people: people.into_iter().map(|p| (p.sub.clone(), p)).collect(),
        }
    }

    pub fn unit(&self, id: &str) -> Option<&UnitNode> {
        self.units.get(id)
    }

    pub fn unit_id(&self, code: &str) -> Option<&str> {
        self.by_code.get(code).map(String::as_str)
    }

    pub fn person(&self, sub: &str) -> Option<&Person> {
        self.people.get(sub)
    }

    /// The units directly below `id`, by id.
    pub fn children(&self, id: &str) -> &[String] {
        self.children.get(id).map(Vec::as_slice).unwrap_or(&[])
    }

    /// `id` and every unit below it (a loop in the tree cannot make this run forever).
    pub fn subtree(&self, id: &str) -> Vec<String> {
        self.scope(&[id.to_string()])
    }

    /// The roots and every unit below any of them, sorted, each once.
    pub fn scope(&self, roots: &[String]) -> Vec<String> {
        let mut seen: HashSet<String> = HashSet::new();
        let mut todo: Vec<String> = roots.to_vec();
        while let Some(id) = todo.pop() {
            if seen.insert(id.clone()) {
                todo.extend(self.children(&id).iter().cloned());
            }
        }
        let mut ids: Vec<String> = seen.into_iter().collect();
        ids.sort();
        ids
    }

    /// How a person is named on paper and in histories: the directory's name, else the
    /// token's, else the login id.
    pub fn display_name(&self, sub: &str, token_name: Option<&str>) -> String {
        self.person(sub)
            .map(|p| p.name.clone())
            .or_else(|| token_name.map(str::to_string))
            .unwrap_or_else(|| sub.to_string())
    }

    /// The directory's names by login id (for documents naming many people).
    pub fn names(&self) -> HashMap<String, String> {
        self.people
            .values()
            .map(|p| (p.sub.clone(), p.name.clone()))
            .collect()
    }
}

/// A roll-up of the unit tree under one parent: which group each unit counts in (a child
/// of the parent for its whole subtree, the parent for its own items), and every group,
/// shown even when empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rollup {
    pub group_of: HashMap<String, String>,
    pub groups: Vec<String>,
}

impl Organisation {
    pub fn rollup(&self, parent: &str) -> Rollup {
        let mut group_of = HashMap::new();
        let mut groups = vec![parent.to_string()];
        group_of.insert(parent.to_string(), parent.to_string());
        for child in self.children(parent) {
            groups.push(child.clone());
            for unit in self.subtree(child) {
                group_of.insert(unit, child.clone());
            }
        }
        Rollup { group_of, groups }
    }
}

/// Whether a measure is held in `role` by the person handing over: by login id when both
/// sides have one, else by the name written in the measure.
pub fn holds(
    role: HolderRole,
    from_sub: Option<&str>,
    from_name: &str,
    leader_sub: Option<&str>,
    leader: &str,
    responsible: Option<&str>,
) -> bool {
    match role {
        HolderRole::AccountableLeader => match (from_sub, leader_sub) {
            (Some(from), Some(named)) => from == named,
            _ => leader == from_name,
        },
        HolderRole::ResponsiblePerson => responsible == Some(from_name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: &str, parent: Option<&str>) -> UnitNode {
        UnitNode {
            id: id.into(),
            code: format!("C-{id}"),
            name: id.into(),
            parent_id: parent.map(str::to_string),
        }
    }

    fn org() -> Organisation {
        Organisation::new(
            vec![
                unit("ban", None),
                unit("zhk", Some("ban")),
                unit("jgk", Some("ban")),
                unit("gu", Some("jgk")),
                unit("other", None),
            ],
            vec![Person {
                sub: "zhang.fg".into(),
                name: "张副主任".into(),
                title: Some("分管副主任".into()),
                unit_id: Some("zhk".into()),
                oversees_unit_ids: vec!["other".into()],
            }],
        )
    }

    #[test]
    fn a_unit_scope_holds_everything_below_it() {
        let org = org();
        assert_eq!(org.subtree("ban"), vec!["ban", "gu", "jgk", "zhk"]);
        assert_eq!(org.subtree("jgk"), vec!["gu", "jgk"]);
        assert_eq!(org.subtree("gu"), vec!["gu"]);
        assert_eq!(org.children("ban"), ["jgk".to_string(), "zhk".to_string()]);
        assert_eq!(org.unit_id("C-gu"), Some("gu"));
    }

    #[test]
    fn a_rollup_counts_each_child_with_everything_below_it() {
        let r = org().rollup("ban");
        assert_eq!(r.groups, vec!["ban", "jgk", "zhk"]);
        assert_eq!(r.group_of["gu"], "jgk");
        assert_eq!(r.group_of["jgk"], "jgk");
        assert_eq!(r.group_of["ban"], "ban");
        assert!(!r.group_of.contains_key("other"));
    }

    #[test]
    fn a_leader_acts_for_its_unit_and_what_it_oversees() {
        let org = org();
        let person = org.person("zhang.fg").unwrap();
        assert_eq!(org.scope(&person.roots()), vec!["other", "zhk"]);
        assert_eq!(org.display_name("zhang.fg", Some("token name")), "张副主任");
        assert_eq!(org.display_name("li", Some("李四")), "李四");
        assert_eq!(org.display_name("li", None), "li");
    }

    #[test]
    fn a_holder_is_known_by_login_id_else_by_name() {
        use HolderRole::*;
        let by_sub = |from| {
            holds(
                AccountableLeader,
                from,
                "张建国",
                Some("zhang.fg"),
                "张建国",
                None,
            )
        };
        assert!(by_sub(Some("zhang.fg")));
        // Same name, another person: the login ids decide.
        assert!(!by_sub(Some("zhang.other")));
        assert!(by_sub(None));
        assert!(holds(
            AccountableLeader,
            Some("x"),
            "分管副主任",
            None,
            "分管副主任",
            None
        ));
        assert!(!holds(
            AccountableLeader,
            None,
            "分管副主任",
            None,
            "主任",
            None
        ));
        assert!(holds(
            ResponsiblePerson,
            None,
            "李科长",
            None,
            "主任",
            Some("李科长")
        ));
        assert!(!holds(
            ResponsiblePerson,
            None,
            "李科长",
            None,
            "李科长",
            None
        ));
    }

    #[test]
    fn a_loop_in_the_tree_ends() {
        let org = Organisation::new(vec![unit("a", Some("b")), unit("b", Some("a"))], vec![]);
        assert_eq!(org.subtree("a"), vec!["a", "b"]);
    }
}
