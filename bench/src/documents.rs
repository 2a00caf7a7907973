//! The `data` of the scenario's `b` rows: JSON documents of about 4 KB made of varied words and
//! numbers, like an application's records, so that they compress as real JSON does (PostgreSQL
//! stores them compressed in line, at some 2 to 3 times smaller) rather than to nothing (a
//! repeated character) or not at all (random bytes, stored out of line). Seeded: every run,
//! method and backend gets the same documents.

/// How many distinct documents the rows draw from; each row prefixes its own id, so no two rows
/// are equal.
pub const DISTINCT: usize = 1000;

/// The documents' target length in bytes.
const LENGTH: usize = 4000;

/// The vocabulary, split on spaces.
const WORDS: &str = "\
    account active address after agent amount annual answer archive balance basket before \
    billing branch budget bundle cancel capture carrier catalog channel charge checkout \
    client closed comment company confirm contract country coupon credit currency customer \
    daily damaged default deliver deposit detail device discount dispatch draft due email \
    entry estimate event expired export failed feature field filter first fixed follow \
    format free gift green group guest handle history holiday import inbound invoice issue \
    item journal label language large ledger limit line local locked manual margin market \
    member merchant message method missing monthly note notice number offer office open \
    order origin outbound owner package paid partner payment pending period phone picked \
    plan policy premium price primary priority product profile promo purchase quantity \
    quarter queue rate receipt record refund region regular reminder renewal report request \
    reserve retail return review route sample schedule season second segment seller service \
    session settled shipment shipping signal small source special status stock store street \
    subtotal summary supplier support survey tax team ticket total tracking transfer trial \
    unit update urgent user valid value vendor verified voucher warehouse weekly weight \
    window yearly";

const CITIES: &[&str] = &[
    "Lisbon", "Osaka", "Denver", "Lagos", "Tallinn", "Quito", "Perth", "Bergen", "Austin",
    "Nairobi", "Porto", "Kraków", "Hanoi", "Leeds", "Cusco", "Malmö",
];

/// A small, seedable generator (SplitMix64): reproducible without a dependency.
struct Random(u64, Vec<&'static str>);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    fn word(&mut self) -> &'static str {
        let index = self.below(self.1.len());
        self.1[index]
    }

    /// A sentence of `least` to `least + spread - 1` words.
    fn sentence(&mut self, least: usize, spread: usize) -> String {
        let words = least + self.below(spread);
        let mut text: Vec<&str> = (0..words).map(|_| self.word()).collect();
        let first = text[0];
        let capital = first[..1].to_uppercase() + &first[1..];
        text[0] = "";
        format!("{capital}{}.", text.join(" "))
    }
}

/// Document `index` of seed `seed`: a JSON object, which a row extends with its own `"id"` put
/// first (`{"id": 7, ` followed by the document without its `{`).
pub fn document(seed: u64, index: usize) -> String {
    let mut random = Random(
        seed ^ (index as u64).wrapping_mul(0x2545_F491_4F6C_DD1D),
        WORDS.split(' ').collect(),
    );
    let customer = format!(
        "{{\"name\": \"{} {}\", \"email\": \"{}.{}@example.org\", \"city\": \"{}\", \"since\": \"20{:02}-{:02}-{:02}\"}}",
        random.word(),
        random.word(),
        random.word(),
        random.below(10_000),
        CITIES[random.below(CITIES.len())],
        10 + random.below(16),
        1 + random.below(12),
        1 + random.below(28)
    );
    let tags: Vec<String> = (0..1 + random.below(5))
        .map(|_| format!("\"{}\"", random.word()))
        .collect();
    let mut items = Vec::new();
    let mut body = String::new();
    while body.len() < LENGTH - 600 {
        items.push(format!(
            "{{\"sku\": \"{}-{:05}\", \"quantity\": {}, \"price\": {}.{:02}, \"status\": \"{}\", \"note\": \"{}\"}}",
            random.word().to_uppercase(),
            random.below(100_000),
            1 + random.below(20),
            random.below(500),
            random.below(100),
            random.word(),
            random.sentence(4, 10)
        ));
        body = items.join(", ");
    }
    let mut document = format!(
        "{{\"customer\": {customer}, \"tags\": [{}], \"items\": [{body}], \"total\": {}.{:02}, \"comment\": \"",
        tags.join(", "),
        random.below(20_000),
        random.below(100)
    );
    while document.len() < LENGTH - 3 {
        document.push_str(&random.sentence(6, 12));
        document.push(' ');
    }
    document.truncate(LENGTH - 3);
    document.push_str("\"}");
    document
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_json_of_about_4_kb_and_reproducible() {
        for index in [0, 1, 999] {
            let text = document(7, index);
            assert!((3900..=4000).contains(&text.len()), "{}", text.len());
            assert!(text.starts_with("{\"customer\": {") && text.ends_with("\"}"));
            assert_eq!(text, document(7, index));
        }
        assert_ne!(document(7, 0), document(7, 1));
    }
}
