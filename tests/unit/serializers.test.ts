import { describe, expect, it } from 'vitest';
import Type from 'typebox';
import { cachedSerializerFactory } from '../../server/routes/serializers';

const route = (schema: unknown, httpStatus = '200') => ({ method: 'GET', url: '/x', httpStatus, schema });

describe('response serializers built once per distinct schema', () => {
  const Answer = Type.Object({ id: Type.String(), count: Type.Integer() });

  it('serialises as fast-json-stringify does: declared fields only, in schema order', () => {
    const compile = cachedSerializerFactory()({}, {});
    const serialize = compile(route(Answer));
    expect(serialize({ count: 3, id: 'a', secret: 'x' })).toBe('{"id":"a","count":3}');
  });

  it('hands the same serializer to every route whose schema is the same, and a new one for another schema', () => {
    const compile = cachedSerializerFactory()({}, {});
    const a = compile(route(Answer));
    const b = compile(route(Type.Object({ id: Type.String(), count: Type.Integer() }), '201'));
    const c = compile(route(Type.Object({ id: Type.String() })));
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    expect(c({ id: 'a', count: 3 })).toBe('{"id":"a"}');
  });

  it('resolves shared schemas of its own factory: a $ref to a schema the app added', () => {
    const Err = Type.Object({ error: Type.String() }, { $id: 'Err' });
    const compile = cachedSerializerFactory()({ Err }, {});
    const serialize = compile(route(Type.Ref('Err'), '400'));
    expect(serialize({ error: 'bad', stack: 'hidden' })).toBe('{"error":"bad"}');
  });
});
