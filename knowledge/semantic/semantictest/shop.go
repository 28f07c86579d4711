package semantictest

// ShopKB is a four-entry shop FAQ in the sparse shape a new shop writes (a
// title and one question per language), for tests of the semantic tier.
const ShopKB = `entries:
  - id: pet-policy
    category: consultation
    title: {en: Pets in the store, zh-TW: 寵物入店}
    examples:
      en: ["Can I bring my dog into the store?"]
      zh-TW: ["可以帶狗進店裡嗎"]
    answer: {en: Leashed dogs are welcome., zh-TW: 歡迎牽繩的狗狗。}
  - id: gift-wrap
    category: consultation
    title: {en: Gift wrapping, zh-TW: 禮品包裝}
    examples:
      en: ["Do you offer gift wrapping?"]
      zh-TW: ["可以幫忙包裝禮物嗎"]
    answer: {en: Gift wrapping is free at the counter., zh-TW: 櫃台可免費包裝禮物。}
  - id: opening-hours
    category: consultation
    title: {en: Opening hours, zh-TW: 營業時間}
    examples:
      en: ["When are you open?"]
      zh-TW: ["你們幾點開門"]
    answer: {en: We open 10:00 to 21:00 every day., zh-TW: 每天 10:00 到 21:00 營業。}
  - id: parking
    category: consultation
    title: {en: Parking, zh-TW: 停車}
    examples:
      en: ["Is there parking nearby?"]
      zh-TW: ["附近有停車場嗎"]
    answer: {en: The mall garage is next door., zh-TW: 隔壁就是商場停車場。}
`

// ShopConcepts is the fake server's concept table for ShopKB: texts sharing
// a word of one group get the same vector; the last group is a concept no
// entry has.
var ShopConcepts = [][]string{
	{"dog", "pet", "puppy", "cat", "animal", "animals", "狗", "寵物", "貓", "毛孩"},
	{"gift", "present", "wrap", "wrapping", "禮", "包裝"},
	{"open", "hours", "closing", "營業", "開門", "幾點", "打烊"},
	{"parking", "car", "停車", "車位"},
	{"kitten"},
}
