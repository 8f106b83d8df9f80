package neurosteer.method.review;

import java.util.Map;
import neurosteer.data.Problem;

/** The review page: self-contained HTML (inline CSS and script, nothing fetched from elsewhere), every text escaped. */
final class ReviewPage {
    private ReviewPage() {}

    static String escape(String text) {
        if (text == null) return "";
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    static String render(String title, ReviewChains chains, Map<String, Mark> marks) {
        int reviewed = 0, flawed = 0;
        for (ReviewChains.Group g : chains.groups())
            for (ReviewChains.Chain c : g.right()) {
                Mark m = marks.get(c.key());
                if (m != null) {
                    reviewed++;
                    if (m.flawed()) flawed++;
                }
            }
        StringBuilder h = new StringBuilder(1 << 16);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>neurosteer review: ").append(escape(title)).append("</title>\n");
        h.append("<style>").append(CSS).append("</style></head>\n<body>\n");
        h.append("<header><h1>Review right-answer chains</h1><div class=\"run\">").append(escape(title)).append("</div>\n");
        h.append("<div class=\"controls\"><label>Subject <select id=\"subject\"><option value=\"*\">all</option>");
        for (String s : chains.subjects()) h.append("<option value=\"").append(escape(s)).append("\">").append(s.isEmpty() ? "(none)" : escape(s)).append("</option>");
        h.append("</select></label> <label><input type=\"checkbox\" id=\"unreviewed\"> unreviewed only</label>");
        h.append(" <span id=\"counts\" data-total=\"").append(chains.chainCount()).append("\" data-reviewed=\"").append(reviewed)
                .append("\" data-flawed=\"").append(flawed).append("\"></span></div>\n");
        h.append("<p class=\"help\">Mark a chain <b>flawed</b> when its reasoning is wrong although its final answer is right; flawed chains leave the "
                + "high-quality set of the next <code>contrast</code> step. Every click is saved at once to review.jsonl.</p></header>\n<main>\n");
        if (chains.groups().isEmpty()) h.append("<p class=\"empty\">samples.jsonl holds no right-answer chains yet.</p>\n");
        for (ReviewChains.Group g : chains.groups()) group(h, g, marks);
        h.append("</main>\n<script>").append(SCRIPT).append("</script>\n</body></html>\n");
        return h.toString();
    }

    private static void group(StringBuilder h, ReviewChains.Group g, Map<String, Mark> marks) {
        Problem p = g.problem();
        h.append("<section class=\"problem\" data-subject=\"").append(escape(g.subject() == null ? "" : g.subject())).append("\">\n");
        h.append("<h2>").append(escape(g.problemId())).append("</h2><div class=\"meta\">");
        if (g.subject() != null) h.append("<span>").append(escape(g.subject())).append("</span>");
        if (g.level() != null) h.append("<span>Level ").append(g.level()).append("</span>");
        h.append("<span>").append(g.right().size()).append(" of ").append(g.samples()).append(" samples right</span>");
        h.append("<span>gold answer <code>").append(escape(g.gold())).append("</code></span></div>\n");
        if (p == null) {
            h.append("<p class=\"missing\">This problem is not in the problem set given with --train: its text and solution cannot be shown.</p>\n");
        } else {
            h.append("<div class=\"cols\"><div><h3>Problem</h3><pre class=\"question\">").append(escape(p.question())).append("</pre></div>");
            h.append("<div><h3>Gold solution</h3><pre class=\"solution\">")
                    .append(p.goldSolution() == null ? "(the data set has no worked solution)" : escape(p.goldSolution())).append("</pre></div></div>\n");
        }
        for (ReviewChains.Chain c : g.right()) {
            Mark m = marks.get(c.key());
            String state = m == null ? "unreviewed" : m.flawed() ? "flawed" : "sound";
            h.append("<article class=\"chain\" data-problem=\"").append(escape(c.problemId())).append("\" data-sample=\"").append(c.sample())
                    .append("\" data-state=\"").append(state).append("\">\n<div class=\"bar\"><b>sample ").append(c.sample()).append("</b>");
            h.append("<span>extracted <code>").append(escape(c.extracted())).append("</code></span>");
            h.append("<button type=\"button\" class=\"mark sound\" data-flawed=\"false\">sound</button>");
            h.append("<button type=\"button\" class=\"mark flawed\" data-flawed=\"true\">flawed</button>");
            h.append("<input class=\"note\" type=\"text\" placeholder=\"note (optional)\" value=\"").append(escape(m == null ? null : m.note())).append("\">");
            h.append("<span class=\"status\">").append(m == null ? "unreviewed" : escape(state + (m.time() == null ? "" : " · " + m.time()))).append("</span></div>\n");
            h.append("<pre class=\"completion\">").append(escape(c.completion())).append("</pre>\n</article>\n");
        }
        h.append("</section>\n");
    }

    private static final String CSS = """
            body{font:14px/1.45 system-ui,sans-serif;margin:0;background:#f6f6f4;color:#222}
            header{position:sticky;top:0;background:#fff;border-bottom:1px solid #ccc;padding:8px 16px;z-index:1}
            h1{font-size:18px;margin:0 8px 0 0;display:inline}.run{display:inline;color:#666}
            .controls{margin-top:6px}.controls label{margin-right:12px}#counts{color:#444}
            .help{margin:4px 0 0;color:#666;font-size:12px}
            main{padding:8px 16px}
            section.problem{background:#fff;border:1px solid #ddd;border-radius:6px;margin:12px 0;padding:8px 12px}
            h2{font-size:15px;margin:0;font-family:monospace}h3{font-size:13px;margin:6px 0 2px;color:#555}
            .meta span{margin-right:14px;color:#555;font-size:12px}
            .cols{display:grid;grid-template-columns:1fr 1fr;gap:12px}
            pre{white-space:pre-wrap;word-wrap:break-word;font:13px/1.4 ui-monospace,monospace;background:#fafafa;border:1px solid #eee;padding:6px;margin:0;max-height:24em;overflow:auto}
            article.chain{border-left:5px solid #bbb;margin:10px 0;padding-left:8px}
            article.chain[data-state=sound]{border-color:#3a9d3a}article.chain[data-state=flawed]{border-color:#d33}
            .bar{display:flex;gap:10px;align-items:center;margin-bottom:4px;flex-wrap:wrap}
            button.mark{border:1px solid #999;background:#fff;border-radius:4px;padding:2px 10px;cursor:pointer}
            article[data-state=sound] button.sound{background:#3a9d3a;color:#fff;border-color:#3a9d3a}
            article[data-state=flawed] button.flawed{background:#d33;color:#fff;border-color:#d33}
            input.note{flex:1;min-width:12em}.status{color:#666;font-size:12px}.status.error{color:#d33;font-weight:bold}
            .missing{color:#a60}.hidden{display:none}
            """;

    private static final String SCRIPT = """
            (function(){
            'use strict';
            const counts=document.getElementById('counts');
            function showCounts(){const d=counts.dataset;counts.textContent=d.total+' chains · '+d.reviewed+' reviewed · '+d.flawed+' flawed';}
            function applyFilters(){
              const subject=document.getElementById('subject').value, onlyNew=document.getElementById('unreviewed').checked;
              document.querySelectorAll('section.problem').forEach(function(sec){
                let shown=0;
                sec.querySelectorAll('article.chain').forEach(function(a){
                  const hide=onlyNew&&a.dataset.state!=='unreviewed';
                  a.classList.toggle('hidden',hide); if(!hide)shown++;});
                sec.classList.toggle('hidden',(subject!=='*'&&sec.dataset.subject!==subject)||shown===0);
              });
            }
            async function send(article,flawed){
              const status=article.querySelector('.status');
              const body={problem_id:article.dataset.problem,sample:Number(article.dataset.sample),flawed:flawed,note:article.querySelector('.note').value};
              status.className='status';status.textContent='saving…';
              try{
                const r=await fetch('api/mark',{method:'POST',headers:{'Content-Type':'application/json'},body:JSON.stringify(body)});
                const j=await r.json().catch(function(){return {error:'HTTP '+r.status};});
                if(!r.ok)throw new Error(j.error||('HTTP '+r.status));
                const before=article.dataset.state, after=j.flawed?'flawed':'sound', d=counts.dataset;
                if(before==='unreviewed')d.reviewed=Number(d.reviewed)+1;
                if(before==='flawed')d.flawed=Number(d.flawed)-1;
                if(after==='flawed')d.flawed=Number(d.flawed)+1;
                article.dataset.state=after; showCounts();
                status.textContent='saved: '+after+' · '+j.time;
              }catch(e){status.className='status error';status.textContent='not saved: '+e.message;}
            }
            document.querySelectorAll('article.chain').forEach(function(a){
              a.querySelectorAll('button.mark').forEach(function(b){b.addEventListener('click',function(){send(a,b.dataset.flawed==='true');});});
              a.querySelector('.note').addEventListener('change',function(){
                if(a.dataset.state==='unreviewed'){a.querySelector('.status').textContent='pick sound or flawed to save the note';return;}
                send(a,a.dataset.state==='flawed');});
            });
            document.getElementById('subject').addEventListener('change',applyFilters);
            document.getElementById('unreviewed').addEventListener('change',applyFilters);
            showCounts();
            })();
            """;
}
