// Response serializers built once per distinct schema. Fastify builds a fast-json-stringify serializer, each with
// an Ajv instance of its own, for every route and status code; with the one error answer listed on every route
// that meant hundreds of identical builds at every start. A serializer depends only on its schema (and the shared
// schemas, fixed per factory), so one per distinct schema is the same output for less start-up.
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';

type Factory = ReturnType<typeof SerializerSelector>;

export function cachedSerializerFactory(): Factory {
  const select = SerializerSelector();
  return (externalSchemas, serializerOpts) => {
    const compile = select(externalSchemas, serializerOpts);
    const built = new Map<string, ReturnType<typeof compile>>();
    return (route) => {
      // JSON keeps every keyword a serializer reads; descriptions differ per status and cost only a map entry.
      const key = JSON.stringify(route.schema);
      let serializer = built.get(key);
      if (!serializer) built.set(key, (serializer = compile(route)));
      return serializer;
    };
  };
}
