// The published schemas are valid draft 2020-12 schemas and compile in ajv's strict mode.
import { SCHEMA_FILES, SchemaFile, newSchemaValidator, readSchemaFile, undeclaredRequired } from './json-schema';

describe.each(SCHEMA_FILES.map((f) => [f]))('GIVEN schemas/%s', (file: SchemaFile) => {
  test('THEN it validates against the draft 2020-12 meta-schema', () => {
    const ajv = newSchemaValidator();
    const schema = readSchemaFile(file);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(ajv.validateSchema(schema)).toBe(true);
    expect(ajv.errors ?? null).toBeNull();
  });

  test('THEN it compiles in strict mode', () => {
    expect(() => newSchemaValidator().compile(readSchemaFile(file))).not.toThrow();
  });

  test('THEN every required name is a declared property of its object', () => {
    expect(undeclaredRequired(readSchemaFile(file))).toEqual([]);
  });

  test('WHEN a required name is misspelled THEN the declared-property check reports it, also under if/then', () => {
    const schema = readSchemaFile(file);
    schema.required.push('sequense');
    expect(undeclaredRequired(schema)).toEqual(['#: sequense']);
    const inThen = JSON.parse(
      JSON.stringify(readSchemaFile(file)).replace('"required":["until"]', '"required":["untill"]'),
    );
    expect(undeclaredRequired(inThen)).toEqual([expect.stringMatching(/^#\/\$defs\/trustRoot\/.*then: untill$/)]);
  });

  test('WHEN a keyword is misspelled THEN strict mode refuses it (the check above can fail)', () => {
    const schema = readSchemaFile(file);
    schema.properties.sequence.maximun = schema.properties.sequence.maximum;
    expect(() => newSchemaValidator().compile(schema)).toThrow(/unknown keyword: "maximun"/);
  });

  test('WHEN a keyword breaks the meta-schema THEN the meta-schema check refuses it', () => {
    const schema = readSchemaFile(file);
    schema.properties.sequence.minimum = '1';
    expect(newSchemaValidator().validateSchema(schema)).toBe(false);
  });
});
