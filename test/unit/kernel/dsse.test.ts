import fc from 'fast-check';
import { dssePaeParts } from '../../../lib/bootstrap/bundle-model';
import { BUNDLE_PAYLOAD_TYPE_V2 } from '../../../lib/kernel/formats';
import { pae, paeHead, paeParts } from '../../../lib/kernel/dsse';
import { pae as nodePae } from '../../../lib/node';

describe('DSSE PAE', () => {
  test('the DSSE specification example', () => {
    expect(Buffer.from(pae('http://example.com/HelloWorld', Buffer.from('hello world'))).toString()).toBe(
      'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
    );
  });

  test('lengths are byte counts of the UTF-8 type and of the body', () => {
    expect(paeHead('é')).toBe('DSSEv1 2 é ');
    expect(Buffer.from(pae('t', Buffer.from([0, 255])))).toEqual(
      Buffer.concat([Buffer.from('DSSEv1 1 t 2 '), Buffer.from([0, 255])]),
    );
  });

  test('the node entry exports the kernel function itself', () => {
    expect(nodePae).toBe(pae);
  });

  test("the construct's rendering (dssePaeParts, joined in Terraform with length()) is the kernel's PAE (property)", () => {
    const samples = fc.stringMatching(/^[\x20-\x7e\n]{0,300}$/);
    fc.assert(
      fc.property(samples, (body) => {
        const rendered = dssePaeParts(BUNDLE_PAYLOAD_TYPE_V2, body, String(body.length)).join('');
        expect(Buffer.from(rendered, 'utf8')).toEqual(Buffer.from(pae(BUNDLE_PAYLOAD_TYPE_V2, Buffer.from(body))));
        expect(paeParts(BUNDLE_PAYLOAD_TYPE_V2, body, String(body.length)).join('')).toBe(rendered);
      }),
    );
  });
});
