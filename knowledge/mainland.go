package knowledge

import (
	"fmt"

	"github.com/longbridgeapp/opencc"
)

// OpenCC's tw2sp runs two stages: Taiwan phrases and variants to OpenCC's
// standard Traditional (TWPhrasesRev, then TWVariantsRevPhrases, then
// TWVariantsRev: the first dictionary with a match at a position wins),
// then Traditional to Simplified (TSPhrases, TSCharacters). newMainland
// builds it and repairs two kinds of fault in its dictionaries.
//
// 抬 -> 擡头: TWVariants says Taiwan writes 抬 for the standard 擡, so the
// first stage turns every 抬 into 擡; TSCharacters, the second stage, lost
// its 擡 -> 抬 entry upstream (OpenCC PR #497, 2020; restored in #1255,
// 2026), and this port's data predates the fix, so 擡 reaches the output.
// tsCharacterRepairs puts the entry back.
//
// TWPhrasesRev is the reverse of OpenCC's mainland-to-Taiwan IT phrase
// list, and reversing it maps common Taiwan words onto mainland IT jargon:
// 查詢 -> 查找, 資料 -> 数据, 預設 -> 缺省, 欄位 -> 字段, 登出 -> 注销,
// 程序 -> 进程, 執行 -> 运行, 呼叫 -> 调用. twPhraseRepairs overwrites
// those entries in place (so longer entries such as 資料夾 -> 文件夹 still
// win by length). Values are Traditional: the second stage simplifies them.
var (
	twPhraseRepairs = map[string]string{
		"查詢":   "查詢",
		"資料":   "資料",
		"預設":   "默認",
		"預設值":  "默認值",
		"欄位":   "欄",
		"登出":   "退出登錄",
		"介面":   "界面",
		"執行":   "執行",
		"建立":   "建立",
		"程序":   "程序",
		"文件":   "文件",
		"文字":   "文字",
		"物件":   "物品",
		"核心":   "核心",
		"模擬":   "模擬",
		"序列":   "序列",
		"智慧":   "智慧",
		"進階":   "進階",
		"高階":   "高級",
		"通道":   "通道",
		"通話記錄": "通話記錄",
		"面板":   "面板",
		"複製":   "複製",
		"離線":   "離線",
		"列舉":   "列舉",
		"呼叫":   "呼叫",
		"回撥":   "回撥",
		"相簿":   "相冊",
		"整合":   "整合",
		"互動":   "互動",
		"向量":   "向量",
		"機率":   "概率",
		"截圖":   "截圖",
		"存檔":   "存檔",
		"數位相機": "數碼相機",
		"行動資料": "移動數據",
		"內著":   "內衣",
		"通訊交易": "通訊交易", // the title of a Taiwan regulation
	}
	tsCharacterRepairs = map[string]string{"擡": "抬"}
)

func newMainland() (*opencc.OpenCC, error) {
	cc, err := opencc.New("tw2sp")
	if err != nil {
		return nil, fmt.Errorf("opencc tw2sp: %w", err)
	}
	if err := repairDict(cc, "TWPhrasesRev.ocd2", twPhraseRepairs); err != nil {
		return nil, err
	}
	if err := repairDict(cc, "TSCharacters.ocd2", tsCharacterRepairs); err != nil {
		return nil, err
	}
	return cc, nil
}

// repairDict writes entries into the named dictionary of cc, replacing
// the entries of the same keys. Each OpenCC value builds its own
// dictionaries, so this changes cc alone.
func repairDict(cc *opencc.OpenCC, file string, entries map[string]string) error {
	for _, g := range cc.DictChains {
		for i, f := range g.Files {
			if f != file || i >= len(g.Dicts) {
				continue
			}
			d := g.Dicts[i]
			for k, v := range entries {
				d.Values = append(d.Values, []string{v})
				if err := d.Trie.Insert([]byte(k), len(d.Values)-1); err != nil {
					return fmt.Errorf("opencc tw2sp: repair %s %s: %w", file, k, err)
				}
			}
			return nil
		}
	}
	return fmt.Errorf("opencc tw2sp: no dictionary %s to repair", file)
}
