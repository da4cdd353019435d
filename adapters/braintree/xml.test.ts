import { describe, expect, it } from 'vitest';
import { childElement, childText, parseXml, XmlError } from './xml.js';

describe('XML reader', () => {
  it('reads elements, attributes, text, entities, CDATA and nil values', () => {
    const root = parseXml(
      '<?xml version="1.0" encoding="UTF-8"?>\n<!-- note --><a kind=\'x\' type="array">\n  <b>1 &lt; 2 &amp;&#32;&#x41;</b><c nil="true"/><d><![CDATA[<raw>]]></d></a>\n',
    );
    expect(root).toMatchObject({ name: 'a', attributes: { kind: 'x', type: 'array' } });
    expect(childText(root, 'b')).toBe('1 < 2 & A');
    expect(childText(root, 'c')).toBeNull();
    expect(childText(root, 'd')).toBe('<raw>');
    expect(childText(root, 'missing')).toBeNull();
    expect(childElement(root, 'c')?.children).toEqual([]);
  });

  it.each([
    ['', 'no root'],
    ['<a><b></a>', 'a mismatched closing tag'],
    ['<a>', 'an unclosed element'],
    ['<a/><b/>', 'two roots'],
    ['<a>&bogus;</a>', 'an unknown entity'],
    ['<a>AT&T</a>', 'a bare ampersand'],
    ['<a><!-- open </a>', 'an unterminated comment'],
    ['<a x=1/>', 'an unquoted attribute'],
  ])('refuses %j (%s)', (source) => {
    expect(() => parseXml(source)).toThrow(XmlError);
  });
});
