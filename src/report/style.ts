// The report's styles, inline in its page: system fonts, a light page, charts two to a row where there is room.
export const REPORT_STYLE = `
*{box-sizing:border-box}
body{margin:0 auto;max-width:1180px;padding:24px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2933;background:#fff}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:17px;margin:28px 0 10px;border-bottom:1px solid #e4e7eb;padding-bottom:4px;grid-column:1/-1}
.headline{font-size:18px;margin:0 0 12px;color:#15803d;font-weight:600}
.facts{display:flex;flex-wrap:wrap;gap:6px 20px;margin:0}
.facts div{display:flex;gap:6px}
.facts dt{color:#616e7c}
.facts dd{margin:0;font-weight:600}
.pair{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:20px;align-items:start}
figure{margin:0}
figcaption{font-weight:600;margin-bottom:6px}
.chart svg{width:100%;height:auto;display:block}
.chart .grid{stroke:#e4e7eb}
.chart .axis{stroke:#7b8794}
.tick{font-size:11px;fill:#52606d}
.axis-label{font-size:12px;fill:#323f4b}
.legend{list-style:none;padding:0;margin:6px 0 0;display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px}
.legend i{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:5px;vertical-align:-1px}
.legend i.ring{background:#fff;border:1.5px solid #111}
.empty,.note{color:#616e7c}
.confusion{border-collapse:collapse;font-size:12px;font-variant-numeric:tabular-nums}
.confusion th,.confusion td{border:1px solid #e4e7eb;padding:3px 6px;text-align:right;min-width:34px;max-width:110px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.confusion th{background:#f5f7fa;font-weight:600}
.confusion .corner{font-weight:400;color:#616e7c;font-size:11px;white-space:normal;text-align:left;line-height:1.2}
.bars .track{fill:#f0f2f5}
.bars .point{fill:#4e79a7}
.mistakes{display:grid;grid-template-columns:repeat(auto-fill,minmax(92px,1fr));gap:10px}
.mistake{border:1px solid #e4e7eb;border-radius:6px;padding:6px;text-align:center;font-size:12px}
.mistake img{width:64px;height:64px;image-rendering:pixelated;display:block;margin:0 auto 4px}
.mistake figcaption{overflow-wrap:anywhere}
.mistake .true{color:#616e7c}
.mistake b{color:#c2410c}
.map{width:100%;max-width:640px;height:auto;display:block;border:1px solid #e4e7eb;border-radius:6px}
.map .point{opacity:.8}
.map .wrong{stroke:#111;stroke-width:1.2;opacity:1}
`;
