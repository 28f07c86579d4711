package escalation

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// ParseAmount finds a money amount in text: NT$1,280, 1280元, 兩千五百元,
// 一千块, $2,400, 2.5k, 1.5w (萬), "two thousand dollars", "two grand" …
// Returns NT$ as int (every currency sign is read as
// NT$: the shop prices in NT$). Order numbers, phone numbers, dates and
// quantities without a money marker are ignored. With several amounts it
// returns the first.
func ParseAmount(text string) (amount int, ok bool) {
	all := findAmounts(text, false)
	if len(all) == 0 {
		return 0, false
	}
	return all[0].value, true
}

// blank replaces every match of re with spaces of the same byte length, so
// byte offsets stay valid.
func blank(re *regexp.Regexp, s string) string {
	locs := re.FindAllStringIndex(s, -1)
	if locs == nil {
		return s
	}
	b := []byte(s)
	for _, l := range locs {
		for i := l[0]; i < l[1]; i++ {
			b[i] = ' '
		}
	}
	return string(b)
}

// amount is one money amount found in a text.
type amount struct {
	value      int
	text       string
	start, end int
}

const num = `(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)`

var (
	// Spans that look like numbers but are not money; blanked before the
	// amount search.
	notMoney = []*regexp.Regexp{
		regexp.MustCompile(`(?i)\bWL[-\s]?\d{6,}`), // order numbers
		// an order number named as one: 訂單 1234567, order #204518
		regexp.MustCompile(`(?i)(?:訂單|订单|單號|单号|\border|\border no\.?|\border number|#)\s*(?:編號|编号|號碼|号码|號|号)?\s*[:：#]?\s*[A-Z]{0,4}\d{6,}`),
		regexp.MustCompile(`(?:\+?886[-\s]?|\b0)9\d{2}[-\s]?\d{3}[-\s]?\d{3}\b`),   // TW mobile
		regexp.MustCompile(`(?:\+?86[-\s]?)?\b1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}\b`),   // CN mobile
		regexp.MustCompile(`\(?\b0\d{1,2}\)?[-\s]\d{3,4}[-\s]?\d{4}\b`),            // landlines
		regexp.MustCompile(`\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*[日號号]?`), // dates
		regexp.MustCompile(`\b\d{1,2}\s*[/月]\s*\d{1,2}\s*[日號号]?`),                  // 12/25, 11月3日
		regexp.MustCompile(`\d{4}\s*年|\d{1,2}\s*月|\b\d{1,2}:\d{2}\b`),              // years, months, times
		regexp.MustCompile(`\d{9,}`), // card, tracking and other long numbers
		// consumer hotlines: 12315 (mainland), 1950 (Taiwan) next to a complaint word
		regexp.MustCompile(`(?i)(?:打|撥|拨|call|dial|找|去|到|向)\s*(?:12315|1950)\b|\b(?:12315|1950)\s*(?:投訴|投诉|申訴|申诉|舉報|举报|平台|專線|专线|熱線|热线|hotline)`),
		// 塊/块 as a measure word, not money: 一块黄色的污渍, 兩塊蛋糕, 一塊布
		// (a lone 一/兩/两/幾/几/半 before it, a noun after; 一塊錢, 兩塊 at
		// the end and 一千一塊 stay money)
		regexp.MustCompile(`(?:^|[^零〇一二兩两三四五六七八九十百千萬万\d])[一兩两幾几半]\s*(?:塊|块)\s*[^\s\d錢钱元啦喔哦啊呀吧嗎吗呢而就都也的,，.。!！?？~～、)）]`),
		// thresholds, not amounts: 1,000元以上, 滿 999 免運
		regexp.MustCompile(`(?i)(?:NT\s*\$|\$)?\s*\d[\d,]*(?:\.\d+)?\s*(?:元|塊|块)?\s*(?:以上|以下|以內|以内)|滿\s*(?:NT\s*\$|\$)?\s*\d[\d,]*\s*(?:元|塊|块)?`),
	}
	// NT$1,280 · NT 1280 · $2,400 · 新台幣1280 · 2.5k · 1.2萬 · ¥3w
	prefixMoney = regexp.MustCompile(`(?i)(?:\bNT\s*\$|\bNTD|\bTWD|\bNT\b|US\$|\$|新[台臺]幣|[台臺]幣|人民[币幣]|\bRMB|\bCNY|¥|￥)\s*` + num + `\s*(k\b|w\b|[萬万千])?`)
	// 1280元 · 1,280 塊 · 2400 dollars · 2400 台幣 · 3萬 · 2.5k · 3w块
	suffixMoney = regexp.MustCompile(`(?i)` + num + `\s*(?:(k\b|w\b|[萬万千])\s*)?(元|塊錢|块钱|塊|块|圓|圆|新?[台臺][幣币]|dollars?\b|bucks\b|NTD\b|TWD\b|NT\b)`)
	// 2.5k · 3萬 · 5 grand · 1.5w (mainland shorthand for 萬; only with a
	// decimal point, because "20W" is a wattage)
	bareMulti = regexp.MustCompile(`(?i)` + num + `(k\b|\s*[萬万]|\s*grand\b)|(\d+\.\d+)(w)\b`)
	// two thousand five hundred dollars · a grand · five hundred and fifty bucks
	wordMoney = regexp.MustCompile(`(?i)\b((?:(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|a|and)[\s-]+)+)(dollars?|bucks|grand|NTD|TWD|NT)\b`)
	// 兩千五百元 · 一千块 · 三萬 · 一萬二
	hanMoney = regexp.MustCompile(`([一二兩两三四五六七八九十壹貳贰參叁肆伍陸陆柒捌玖拾][零〇一二兩两三四五六七八九十百千萬万壹貳贰參叁肆伍陸陆柒捌玖拾佰仟]*)\s*(元|塊錢|块钱|塊|块|圓|圆)|([一二兩两三四五六七八九十壹貳贰參叁肆伍陸陆柒捌玖拾][零〇一二兩两三四五六七八九十百千壹貳贰參叁肆伍陸陆柒捌玖拾佰仟]*[萬万][零〇一二兩两三四五六七八九十百千壹貳贰參叁肆伍陸陆柒捌玖拾佰仟]*)`)
	// loose mode (a refund request without a money marker): a bare number
	// that is not a quantity. It may follow punctuation after a word
	// ("當面說，3280那筆", with the comma folded to ASCII), never a digit
	// and a separator (the 280 of 1,280).
	bareNumber = regexp.MustCompile(`(?i)(?:^|[^\d.,]|[^\d][.,]\s*|^[.,]\s*)` + num + `\s*(件|個|个|組|组|盒|包|雙|双|條|条|台|支|張|张|瓶|罐|份|天|日|次|週|周|年|月|小時|小时|分鐘|分钟|公斤|克|%|％|折|點|点|pcs?\b|pieces?\b|items?\b|units?\b|days?\b|weeks?\b|months?\b|years?\b|hours?\b|times?\b|points?\b|kg\b|g\b|cm\b|mm\b|ml\b|x\b|w\b|mah\b|v\b|inch\w*|吋|寸|公分|公尺|瓦|伏|毫安|号|號|樓|楼|F\b)?`)
	// loose mode: Chinese numerals with a unit of hundreds or more (八千五),
	// and the spoken 千五 (1500) with no leading digit.
	hanBare = regexp.MustCompile(`[一二兩两三四五六七八九十壹貳贰參叁肆伍陸陆柒捌玖拾][零〇一二兩两三四五六七八九十壹貳贰參叁肆伍陸陆柒捌玖拾]*[百千萬万佰仟][零〇一二兩两三四五六七八九十百千萬万壹貳贰參叁肆伍陸陆柒捌玖拾佰仟]*|千[一二兩两三四五六七八九]`)
	// loose mode: digits with a Chinese unit and a spoken tail (2千5, 1萬2,
	// 3千, 2千500).
	mixedBare = regexp.MustCompile(`(\d+(?:\.\d+)?)\s*([千萬万])\s*(\d{1,4}|[一二兩两三四五六七八九])?`)
	// loose mode: the mainland w for 萬 without a decimal point, lower case
	// only (20W is a wattage).
	wBare = regexp.MustCompile(`(\d+(?:\.\d+)?)w(?:[^a-zA-Z]|$)`)
	// loose mode: English number words with hundred or thousand and no unit
	// ("fifteen hundred", "two thousand five hundred").
	wordBare = regexp.MustCompile(`(?i)\b((?:(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|a|and)[\s-]+)*(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand))\b`)
	fourK    = regexp.MustCompile(`(?i)^\s*(tv|電視|电视|螢幕|屏幕|monitor|display|hdr|uhd|resolution|畫質|画质|video|影片)`)
)

// findAmounts returns the money amounts in text in order of appearance.
// loose also accepts bare numbers that are not quantities (used only when
// the message asks for a refund).
func findAmounts(text string, loose bool) []amount {
	s := width.Fold.String(text)
	for _, re := range notMoney {
		s = blank(re, s)
	}
	var found []amount
	addSpan := func(start, end int, v int) {
		for _, f := range found {
			if start < f.end && f.start < end {
				return // overlaps an amount already found
			}
		}
		if v <= 0 {
			return
		}
		found = append(found, amount{value: v, text: strings.TrimSpace(s[start:end]), start: start, end: end})
	}
	for _, loc := range prefixMoney.FindAllStringSubmatchIndex(s, -1) {
		mult := group(s, loc, 2)
		if strings.EqualFold(mult, "k") && fourK.MatchString(s[loc[1]:]) {
			continue
		}
		addSpan(loc[0], loc[1], arabic(group(s, loc, 1), mult))
	}
	for _, loc := range suffixMoney.FindAllStringSubmatchIndex(s, -1) {
		addSpan(loc[0], loc[1], arabic(group(s, loc, 1), group(s, loc, 2)))
	}
	// 1萬2 · 2千5 (千 only in loose mode: 3千人 is a count)
	mixed := func(thousands bool) {
		for _, loc := range mixedBare.FindAllStringSubmatchIndex(s, -1) {
			mult := group(s, loc, 2)
			unit := 10000
			if mult == "千" {
				if !thousands {
					continue
				}
				unit = 1000
			}
			v := arabic(group(s, loc, 1), mult)
			if tail := group(s, loc, 3); tail != "" {
				if d, ok := hanDigits[[]rune(tail)[0]]; ok {
					v += d * unit / 10
				} else if n, err := strconv.Atoi(tail); err == nil {
					if len(tail) == 1 {
						n *= unit / 10
					}
					if n < unit {
						v += n
					}
				}
			}
			addSpan(loc[0], loc[1], v)
		}
	}
	mixed(false)
	for _, loc := range bareMulti.FindAllStringSubmatchIndex(s, -1) {
		digits, mult := group(s, loc, 1), strings.TrimSpace(group(s, loc, 2))
		if digits == "" {
			digits, mult = group(s, loc, 3), group(s, loc, 4)
		}
		if strings.EqualFold(mult, "k") && fourK.MatchString(s[loc[1]:]) {
			continue
		}
		addSpan(loc[0], loc[1], arabic(digits, mult))
	}
	for _, loc := range wordMoney.FindAllStringSubmatchIndex(s, -1) {
		if v, ok := wordNumber(group(s, loc, 1), group(s, loc, 2)); ok {
			addSpan(loc[0], loc[1], v)
		}
	}
	for _, loc := range hanMoney.FindAllStringSubmatchIndex(s, -1) {
		h := group(s, loc, 1)
		if h == "" {
			h = group(s, loc, 3)
		}
		if v, ok := hanNumber(h); ok {
			addSpan(loc[0], loc[1], v)
		}
	}
	if loose && len(found) == 0 {
		for _, loc := range hanBare.FindAllStringIndex(s, -1) {
			if strings.HasPrefix(s[loc[0]:], "千") && loc[0] > 0 {
				if r, _ := utf8.DecodeLastRuneInString(s[:loc[0]]); strings.ContainsRune("零〇一二兩两三四五六七八九十百千萬万", r) {
					continue // part of a longer numeral
				}
			}
			if v, ok := hanNumber(s[loc[0]:loc[1]]); ok {
				addSpan(loc[0], loc[1], v)
			}
		}
		mixed(true)
		for _, loc := range wBare.FindAllStringSubmatchIndex(s, -1) {
			addSpan(loc[2], loc[3]+1, arabic(group(s, loc, 1), "w"))
		}
		for _, loc := range wordBare.FindAllStringSubmatchIndex(s, -1) {
			words := strings.ToLower(group(s, loc, 1))
			if !strings.Contains(words, "hundred") && !strings.Contains(words, "thousand") {
				continue
			}
			if v, ok := wordNumber(words, ""); ok {
				addSpan(loc[2], loc[3], v)
			}
		}
	}
	if loose && len(found) == 0 {
		for _, loc := range bareNumber.FindAllStringSubmatchIndex(s, -1) {
			if group(s, loc, 2) != "" {
				continue // a quantity, duration, percentage …
			}
			digits := strings.ReplaceAll(group(s, loc, 1), ",", "")
			if strings.Contains(digits, ".") || len(digits) < 2 || len(digits) > 7 {
				continue
			}
			addSpan(loc[2], loc[3], arabic(digits, ""))
		}
	}
	slices.SortFunc(found, func(a, b amount) int { return a.start - b.start })
	return found
}

func group(s string, loc []int, i int) string {
	if loc[2*i] < 0 {
		return ""
	}
	return s[loc[2*i]:loc[2*i+1]]
}

// arabic converts "1,280" / "2.5" with an optional multiplier (k, 千, 萬).
func arabic(digits, mult string) int {
	f, err := strconv.ParseFloat(strings.ReplaceAll(digits, ",", ""), 64)
	if err != nil {
		return 0
	}
	switch strings.ToLower(strings.TrimSpace(mult)) {
	case "k", "千", "grand":
		f *= 1000
	case "萬", "万", "w":
		f *= 10000
	}
	if f > maxAmount {
		return 0
	}
	return int(f + 0.5)
}

// maxAmount bounds every amount read from a message (NT$1,000,000,000): no
// refund is larger, and it keeps word and numeral parsing from overflowing.
const maxAmount = 1_000_000_000

var wordValues = map[string]int{
	"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
	"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
	"seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
	"sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}

// wordNumber parses an amount written in English words ("two thousand five
// hundred", "a", "five hundred and fifty") followed by unit ("dollars",
// "grand" multiplies by a thousand).
func wordNumber(words, unit string) (int, bool) {
	total, current, seen := 0, 0, false
	fields := strings.FieldsFunc(strings.ToLower(words), func(r rune) bool { return r == ' ' || r == '-' || unicode.IsSpace(r) })
	for i, w := range fields {
		switch w {
		case "and":
		case "a":
			if i+1 < len(fields) && (fields[i+1] == "hundred" || fields[i+1] == "thousand") ||
				i+1 == len(fields) && strings.EqualFold(unit, "grand") {
				current++
				seen = true
			}
		case "hundred":
			current = max(current, 1) * 100
			seen = true
		case "thousand":
			total += max(current, 1) * 1000
			current, seen = 0, true
		default:
			v, ok := wordValues[w]
			if !ok {
				return 0, false
			}
			current += v
			seen = true
		}
		if total+current > maxAmount { // "hundred hundred hundred ..."
			return 0, false
		}
	}
	if !seen {
		return 0, false
	}
	total += current
	if strings.EqualFold(unit, "grand") {
		total *= 1000
	}
	return total, total > 0 && total <= maxAmount
}

// Chinese digits and units, with the formal forms written on cheques and
// invoices (壹貳參 … 拾佰仟, 伍仟 = 5000).
var hanDigits = map[rune]int{'零': 0, '〇': 0, '一': 1, '二': 2, '兩': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9,
	'壹': 1, '貳': 2, '贰': 2, '參': 3, '叁': 3, '肆': 4, '伍': 5, '陸': 6, '陆': 6, '柒': 7, '捌': 8, '玖': 9}
var hanUnits = map[rune]int{'十': 10, '百': 100, '千': 1000, '拾': 10, '佰': 100, '仟': 1000}

// hanNumber parses Chinese numerals, including the spoken short forms
// 一千二 (1200), 兩萬五 (25000) and 三百五 (350).
func hanNumber(s string) (int, bool) {
	total, section, n, last := 0, 0, 0, 0
	seen := false
	for i, r := range s {
		if d, ok := hanDigits[r]; ok {
			if r == '零' || r == '〇' {
				last = 0
			}
			n, seen = d, true
			continue
		}
		if u, ok := hanUnits[r]; ok {
			if n == 0 && (u == 10 || i == 0) {
				n = 1 // 十五, and the spoken 千五 / 百二
			}
			section += n * u
			n, last, seen = 0, u, true
			continue
		}
		if r == '萬' || r == '万' {
			total += (section + n) * 10000
			section, n, last = 0, 0, 10000
			seen = true
			continue
		}
		return 0, false
	}
	if !seen {
		return 0, false
	}
	if n > 0 && last >= 10 {
		section += n * last / 10
	} else {
		section += n
	}
	if total+section > maxAmount {
		return 0, false
	}
	return total + section, true
}
