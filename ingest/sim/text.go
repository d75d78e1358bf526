package sim

// Comment corpora by class. They mix Chinese and English, as live rooms do,
// and include what a console must cope with: abuse, spam, emoji and text
// that looks like HTML or script (it must be shown as text, never run).
var comments = map[string][]string{
	"intent": {"1", "1111", "要", "要要要", "想要", "想要!!", "上链接", "上链接上链接", "拍了", "已拍", "冲", "买买买",
		"I want it", "want", "link pls", "add to cart!", "+1", "我要两件", "还有货吗 想要"},
	"question": {"多少钱", "多少钱?", "尺码怎么选", "什么尺码", "什么时候发货", "几号发货?", "包邮吗", "有优惠券吗", "敏感肌能用吗",
		"how much?", "what size should I get?", "ship to Hong Kong?", "is it waterproof?", "颜色有几种", "能便宜点吗"},
	"praise": {"好看", "太好看了", "主播好美", "质量很好", "回购了", "已经第三次买了", "爱了爱了", "nice", "love it", "so pretty",
		"great quality", "主播辛苦了", "讲得很清楚"},
	"chatter": {"来了来了", "晚上好", "第一次来", "刚下班", "主播声音好听", "hello from Shenzhen", "hi everyone", "背景音乐叫什么",
		"在吗", "今天几点下播"},
	"spam": {"加V领福利 wx: abc123", "低价代购 私聊", "点我头像看更多", "免费领取 http://spam.example/x", "关注我 互粉",
		"cheap followers at spam.example"},
	"abuse": {"骗子", "垃圾主播", "假货吧", "退钱", "智商税", "scam!!", "fake product", "what a rip-off"},
	"emoji": {"😍", "😍😍😍", "🔥🔥", "👍", "❤️❤️", "🎉", "💄✨", "🙏"},
	"html": {"<img src=x onerror=alert(1)>", "<script>alert('xss')</script>", "<b>bold</b> 想要", "\"><svg onload=alert(1)>",
		"javascript:alert(1)", "&lt;3 &amp; more", "{{7*7}}", "'; DROP TABLE orders; --"},
}

// commentMix weighs the classes outside and during a flash sale.
var commentMix = []struct {
	class         string
	normal, flash int
}{
	{"intent", 18, 45}, {"question", 24, 20}, {"praise", 22, 12}, {"chatter", 18, 8},
	{"spam", 6, 5}, {"abuse", 4, 3}, {"emoji", 6, 5}, {"html", 2, 2},
}

var nicknames = []string{"小红", "阿强", "甜甜", "Lily", "Tom", "老王", "橙子", "Momo", "大白", "Kiki", "奶茶", "Jason", "小鱼", "Ann"}

var gifts = []struct {
	name  string
	value int64 // minor units
}{
	{"小心心", 10}, {"玫瑰", 100}, {"棒棒糖", 900}, {"火箭", 50000}, {"嘉年华", 300000},
}

// catalog is the product pool a simulated room's line-up is drawn from.
var catalog = []struct {
	sku, name string
	price     int64
}{
	{"lipstick-01", "丝绒口红 Velvet lipstick", 19900}, {"serum-02", "精华液 Serum", 39900},
	{"mask-03", "面膜 Sheet masks ×10", 9900}, {"coat-04", "羊毛大衣 Wool coat", 89900},
	{"knit-05", "针织衫 Knit sweater", 25900}, {"tea-06", "明前龙井 Longjing tea", 15800},
	{"snack-07", "坚果礼盒 Nut gift box", 6900}, {"earbuds-08", "蓝牙耳机 Earbuds", 29900},
	{"pan-09", "不粘锅 Non-stick pan", 12900}, {"scarf-10", "真丝围巾 Silk scarf", 45900},
}
