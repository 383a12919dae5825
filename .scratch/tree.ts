import { parser } from '@lezer/python';
const src = process.argv[2]!;
const t = parser.parse(src);
const c = t.cursor(); let d = 0;
const walk = (): void => { do { console.log(' '.repeat(d*2) + c.name + ' ' + JSON.stringify(src.slice(c.from, c.to)).slice(0,40)); if (c.firstChild()) { d++; walk(); d--; c.parent(); } } while (c.nextSibling()); };
walk();
