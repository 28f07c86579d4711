package load

import "fmt"

// Languages of the simulated customers, in the order users are assigned
// them (user i speaks langs[i%3]).
var langs = []string{"zh-TW", "zh-CN", "en"}

// faqQuestions are customer questions of the demo shop's consultation
// entries (knowledge/demo), one entry each, so a user who asks each at most
// twice never reaches the repeat-contact escalation (3 contacts on a topic).
var faqQuestions = map[string][]string{
	"zh-TW": {
		"忘記密碼了", "發票可以存手機條碼嗎？", "發票不見了怎麼辦", "有哪些付款方式？",
		"可以分期付款嗎？", "ATM 轉帳要在幾天內付款？", "超商取貨怎麼取？", "包裹在超商放幾天？",
		"點數會過期嗎？", "折價券要怎麼用？", "退款要多久？", "退款會退到哪裡？",
		"鑑賞期是幾天？", "客服幾點上班？", "運費怎麼算？", "有寄離島嗎？",
	},
	"zh-CN": {
		"忘记密码了怎么办", "电子发票能存到手机条码吗", "发票找不到了", "支持哪些支付方式",
		"能分期吗", "转账要几天内完成", "便利店取货要带什么", "包裹在便利店能放多久",
		"积分会过期吗", "优惠券怎么用", "退款多久到账", "退款退到哪里",
		"七天无理由退货吗", "客服几点上班", "运费多少钱", "离岛能寄吗",
	},
	"en": {
		"I forgot my password", "Can I save the invoice to my mobile barcode?", "I lost my invoice", "What payment methods do you accept?",
		"Can I pay in instalments?", "How long do I have to make the ATM transfer?", "How does convenience store pickup work?", "How long will the store keep my parcel?",
		"Do points expire?", "How do I use a coupon?", "How long does a refund take?", "Where does my refund go?",
		"How long do I have to return something?", "What are your customer service hours?", "How much is shipping?", "Do you deliver to outlying islands?",
	},
}

// orderQuestion asks for the status of an order in lang.
func orderQuestion(lang, number string) string {
	switch lang {
	case "zh-TW":
		return fmt.Sprintf("我的訂單 %s 到哪了？", number)
	case "zh-CN":
		return fmt.Sprintf("订单 %s 到哪了？", number)
	}
	return fmt.Sprintf("Where is my order %s?", number)
}

// UserID is the LINE user id of simulated user i.
func UserID(i int) string { return fmt.Sprintf("U%032x", i+1) }

// OrderNumber is the order simulated user i owns (the fake order backend
// answers it with that user as owner).
func OrderNumber(i int) string { return fmt.Sprintf("WL%08d", i+1) }
