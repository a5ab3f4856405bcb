import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { SchemaForm } from './SchemaForm';
import { fieldProblems, fieldsOf, initialConfig, withKey } from '../schema';
import type { Schema } from '../types';

afterEach(cleanup);

// A schema as Go's component.Schema marshals it (x-order, x-secret, enums,
// nested objects, a free-form map).
const schema: Schema = {
  type: 'object',
  properties: {
    url: { type: 'string', description: 'Where to send events.', format: 'uri' },
    method: { type: 'string', enum: ['POST', 'PUT'], default: 'POST' },
    token: { type: 'string', 'x-secret': true },
    timeout: { type: 'string', format: 'duration', default: '10s' },
    retries: { type: 'integer', minimum: 0, default: 3 },
    verbose: { type: 'boolean', default: false },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    tls: { type: 'object', properties: { insecure: { type: 'boolean' } }, 'x-order': ['insecure'], additionalProperties: false },
    methods: { type: 'array', items: { type: 'string' }, default: ['POST', 'PUT'] },
  },
  required: ['url'],
  'x-order': ['url', 'method', 'token', 'timeout', 'retries', 'verbose', 'headers', 'tls'],
  additionalProperties: false,
};

describe('schema helpers', () => {
  it('orders fields by x-order and marks required ones', () => {
    expect(fieldsOf(schema).map((f) => f.name)).toEqual(['url', 'method', 'token', 'timeout', 'retries', 'verbose', 'headers', 'tls', 'methods']);
    expect(fieldsOf(schema).filter((f) => f.required).map((f) => f.name)).toEqual(['url']);
  });

  it('keeps only what was set', () => {
    expect(withKey({ a: 1 }, 'a', undefined)).toEqual({});
    expect(withKey({}, 'b', {})).toEqual({});
    expect(withKey(undefined, 'c', 'x')).toEqual({ c: 'x' });
  });

  it('starts a required code field from its first example, nothing else', () => {
    const s: Schema = {
      type: 'object',
      properties: {
        code: { type: 'string', 'x-widget': 'code', examples: ['def transform(event):\n    return event\n'] },
        url: { type: 'string', examples: ['https://example.com/hook'] },
      },
      required: ['code', 'url'],
    };
    expect(initialConfig(s)).toEqual({ code: 'def transform(event):\n    return event\n' });
  });

  it('files the engine problems under their fields', () => {
    const m = fieldProblems(
      [
        { node: 'crm', field: 'config.url', message: 'is required' },
        { node: 'crm', field: 'delivery.retry.initial', message: 'bad duration' },
        { node: 'other', field: 'config.url', message: 'not mine' },
      ],
      'crm',
      'config',
    );
    expect([...m.entries()]).toEqual([['config.url', ['is required']]]);
  });
});

describe('SchemaForm', () => {
  it('renders one input per field, with required marks, defaults and secret hints', () => {
    render(<SchemaForm schema={schema} value={{}} onChange={() => {}} problems={new Map()} path="config" />);
    expect(screen.getByTestId('field-config.url')).toBeInstanceOf(HTMLInputElement);
    expect(screen.getByText('url').parentElement?.querySelector('.req')).not.toBeNull();
    expect((screen.getByTestId('field-config.timeout') as HTMLInputElement).placeholder).toBe('default: 10s');
    expect((screen.getByTestId('field-config.token') as HTMLInputElement).placeholder).toBe('${env:NAME}');
    expect(screen.getByText('secret')).toBeTruthy();
    const method = screen.getByTestId('field-config.method') as HTMLSelectElement;
    expect([...method.options].map((o) => o.textContent)).toEqual(['default (POST)', 'POST', 'PUT']);
    expect((screen.getByTestId('field-config.retries') as HTMLInputElement).type).toBe('number');
    expect((screen.getByTestId('field-config.verbose') as HTMLInputElement).type).toBe('checkbox');
    expect(screen.getByTestId('map-config.headers')).toBeTruthy();
    expect(screen.getByTestId('field-config.tls.insecure')).toBeTruthy();
    expect(screen.getByText('Where to send events.')).toBeTruthy();
    expect(screen.getByText('default: POST, PUT')).toBeTruthy();
  });

  it('edits lists', () => {
    const onChange = vi.fn();
    render(<SchemaForm schema={schema} value={{ methods: ['GET'] }} onChange={onChange} problems={new Map()} path="config" />);
    fireEvent.change(screen.getByTestId('field-config.methods[0]'), { target: { value: 'PUT' } });
    expect(onChange).toHaveBeenLastCalledWith({ methods: ['PUT'] });
    fireEvent.click(within(screen.getByTestId('field-config.methods')).getByText('+ add'));
    expect(onChange).toHaveBeenLastCalledWith({ methods: ['GET', ''] });
    fireEvent.click(screen.getByTitle('remove'));
    expect(onChange).toHaveBeenLastCalledWith({});
  });

  it('reports typed values and removes cleared ones', () => {
    const onChange = vi.fn();
    render(<SchemaForm schema={schema} value={{ url: 'http://a' }} onChange={onChange} problems={new Map()} path="config" />);
    fireEvent.change(screen.getByTestId('field-config.retries'), { target: { value: '5' } });
    expect(onChange).toHaveBeenLastCalledWith({ url: 'http://a', retries: 5 });
    fireEvent.change(screen.getByTestId('field-config.url'), { target: { value: '' } });
    expect(onChange).toHaveBeenLastCalledWith({});
    fireEvent.change(screen.getByTestId('field-config.method'), { target: { value: 'PUT' } });
    expect(onChange).toHaveBeenLastCalledWith({ url: 'http://a', method: 'PUT' });
    fireEvent.click(screen.getByTestId('field-config.verbose'));
    expect(onChange).toHaveBeenLastCalledWith({ url: 'http://a', verbose: true });
    fireEvent.click(screen.getByTestId('field-config.tls.insecure'));
    expect(onChange).toHaveBeenLastCalledWith({ url: 'http://a', tls: { insecure: true } });
  });

  it('shows the engine problems on their fields', () => {
    render(<SchemaForm schema={schema} value={{}} onChange={() => {}} problems={new Map([['config.url', ['is required']]])} path="config" />);
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toBe('is required');
    expect(alert.closest('[data-field]')?.getAttribute('data-field')).toBe('config.url');
  });

  it('skips fields another component shows', () => {
    render(<SchemaForm schema={schema} value={{}} onChange={() => {}} problems={new Map()} path="config" skip={['url']} />);
    expect(screen.queryByTestId('field-config.url')).toBeNull();
  });
});
