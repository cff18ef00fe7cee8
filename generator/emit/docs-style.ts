/** The inline style sheet of the HTML reference (no web font, no external resource: the page loads nothing). */
export const STYLE = `
:root{--blue:#3a84ff;--blue-dark:#1768ef;--ink:#313238;--muted:#63656e;--faint:#979ba5;--line:#dcdee5;--soft:#f5f7fa;--panel:#fff;--bg:#f0f2f5;--green:#2dcb56;--orange:#ff9c01;--red:#ea3636}
*{box-sizing:border-box}
html{scroll-behavior:smooth}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.6 -apple-system,BlinkMacSystemFont,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei","Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
code,pre{font-family:"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono","Liberation Mono",monospace;font-size:12.5px}
a{color:var(--blue);text-decoration:none}
a:hover{text-decoration:underline}
.sidebar{position:fixed;top:0;left:0;bottom:0;width:272px;overflow-y:auto;background:#1f2a3d;color:#c4c6cc;padding:20px 0}
.brand{color:#fff;font-weight:600;font-size:15px;line-height:1.4;padding:0 20px 16px;border-bottom:1px solid #2f3c52}
.sidebar nav a{display:block;padding:8px 20px;color:#c4c6cc;border-left:3px solid transparent}
.sidebar nav a:hover{background:#26344b;color:#fff;text-decoration:none;border-left-color:var(--blue)}
.nav-group{margin:18px 20px 6px;font-size:12px;letter-spacing:.04em;color:#7d8699;text-transform:uppercase}
.nav-group .h-en{color:#5d6679}
.nav-name{display:block;color:#fff;font-family:"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:12.5px;margin-top:2px}
.nav-sub{display:block;font-size:12px;color:#8d95a5}
.sidebar .method{font-size:10px;padding:0 5px}
.sidebar .h-en{display:block;font-size:12px;color:#8d95a5;margin:0}
main{margin-left:272px;padding:28px 36px 80px;max-width:1320px}
.hero{background:linear-gradient(120deg,#1f2a3d,#2c4a7f);color:#fff;border-radius:8px;padding:28px 32px;margin-bottom:24px}
.hero h1{margin:0 0 8px;font-size:24px;font-weight:600}
.hero p{margin:6px 0;max-width:980px}
.hero .en{color:#c9d6ee}
.hero code{background:rgba(255,255,255,.12);color:#fff;border-color:transparent}
.hero p.en{color:#b8c7e3}
.panel{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:24px 28px;margin-bottom:24px;box-shadow:0 1px 2px rgba(0,0,0,.04)}
h2{margin:0 0 8px;font-size:20px;font-weight:600;display:flex;align-items:center;gap:10px;flex-wrap:wrap}
h3{margin:26px 0 10px;font-size:16px;font-weight:600;padding-left:10px;border-left:3px solid var(--blue)}
h4{margin:18px 0 8px;font-size:14px;font-weight:600}
.h-en{color:var(--faint);font-weight:400;margin-left:6px;font-size:.9em}
.op-name{font-family:"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono",monospace}
.method{display:inline-block;background:var(--green);color:#fff;border-radius:3px;font-size:12px;font-weight:600;padding:1px 8px;line-height:1.6;font-family:inherit}
.lead{font-size:15px;margin:4px 0}
.lead.en,.prose.en,.note.en{color:var(--muted)}
.prose,.note{margin:6px 0;max-width:1040px}
.note{font-size:13px}
p.en{margin-top:2px}
dl.endpoint{display:grid;grid-template-columns:max-content 1fr;gap:6px 16px;background:var(--soft);border-radius:6px;padding:12px 16px;margin:14px 0}
dl.endpoint dt{color:var(--muted)}
dl.endpoint dd{margin:0}
:not(pre)>code{background:var(--soft);border:1px solid #eaebf0;border-radius:3px;padding:0 4px;color:#c7254e;word-break:break-word}
.rule-groups{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:0 16px;align-items:start}
table.rules th code{color:var(--ink)}
td.field code,.rules code,.chips code,dd code,.worked code{color:var(--ink)}
.prefix{color:var(--faint)}
table{width:100%;border-collapse:collapse;margin:8px 0 14px;font-size:13px}
th,td{border:1px solid var(--line);padding:7px 10px;text-align:left;vertical-align:top}
th{background:#f0f1f5;font-weight:600;white-space:nowrap}
th .h-en{display:block;margin:0;font-size:11px}
tbody tr:nth-child(even){background:#fafbfd}
td.field{white-space:nowrap}
th.narrow{width:1%}
td .en{color:var(--muted);font-size:12.5px;margin-top:2px}
td .zh+.en{border-top:1px dashed #eceef2;padding-top:2px}
.type{font-family:"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:12px;color:#3a84ff;white-space:nowrap}
.req{color:var(--red);font-weight:600;white-space:nowrap}
.opt{color:var(--faint);white-space:nowrap}
.req .h-en,.opt .h-en,.tag .h-en{font-size:11px;margin-left:3px}
.tag{display:inline-block;border-radius:3px;padding:0 6px;font-size:12px;white-space:nowrap}
.tag.locked{background:#fff1db;color:#b36b00;border:1px solid #ffd695}
.tag.deprecated{background:#f0f1f5;color:var(--muted);border:1px solid var(--line)}
tr.is-deprecated td{color:var(--faint)}
span.code{font-family:"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono",monospace;font-weight:600;color:var(--red)}
span.code.layer-esb{color:#9b59b6}
span.code.layer-iam{color:var(--orange)}
a.code{font-family:"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono",monospace;font-weight:600}
.layer{font-size:11px;color:var(--faint);text-transform:uppercase;letter-spacing:.05em}
td.code-cell{width:210px;min-width:210px}
.const{font-family:"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:11.5px;color:var(--muted);overflow-wrap:anywhere;margin-top:2px}
td.message{min-width:220px}
td.when{min-width:300px}
td.apis{white-space:nowrap;font-family:"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:12px}
details.example{border:1px solid var(--line);border-radius:6px;margin:8px 0;background:#fff}
details.example>summary{cursor:pointer;padding:8px 12px;font-weight:500;background:var(--soft);border-radius:6px}
details.example[open]>summary{border-bottom:1px solid var(--line);border-radius:6px 6px 0 0}
.example-note{margin:8px 12px;color:var(--muted);font-size:13px}
pre{margin:0;padding:12px 16px;background:#1e2330;color:#d7dce5;border-radius:0 0 6px 6px;overflow-x:auto;line-height:1.5}
ul.chips{list-style:none;padding:0;margin:8px 0;display:flex;flex-wrap:wrap;gap:8px}
ul.chips li{border:1px solid var(--line);border-radius:16px;padding:3px 12px;background:var(--soft)}
ol.worked-steps{padding-left:22px;margin:8px 0 12px}
ol.worked-steps li{margin:4px 0}
table.worked tr.is-locked td:first-child{box-shadow:inset 3px 0 0 var(--orange)}
td.ignored code{text-decoration:line-through;color:var(--faint)}
td.kept{background:#fff7e8}
td.applied{background:#e9f9ee}
.none{color:var(--faint)}
.see{margin:14px 0 0}
@media (max-width:960px){.sidebar{position:static;width:auto}main{margin-left:0;padding:16px}}
@media print{.sidebar{display:none}main{margin-left:0}}
`
  .trim()
  .replace(/\n/g, "");
