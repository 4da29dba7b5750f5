/** Skill texts the language-server tests share. */

/** A used skill: one required input `body`, an object output with `summary`. */
export const HELPER = `sdl: "1.0"
name: helper
version: 1.2.0
description: Summarizes a body of text.
inputs:
  type: object
  required: [body]
  properties:
    body: { type: string, description: The text to summarize. }
outputs:
  type: object
  properties:
    summary: { type: string }
steps:
  - id: only
    prompt:
      user: "{{ inputs.body }}"
    output: outputs
return: steps.only.output
`;

/** A skill using HELPER, with a flow mapping, a literal and a folded block scalar. */
export const MAIN = `sdl: "1.0"
name: main
version: 1.0.0
description: Test skill.
inputs:
  type: object
  properties:
    text: { type: string, description: The text. }
    tags: { type: array, items: { type: string } }
uses:
  helper: { skill: ./helper.skill.yaml, version: ^1.0.0 }
tools:
  lookup:
    description: Looks a word up.
    parameters: { type: object, properties: { word: { type: string } } }
    returns: { type: object, properties: { meaning: { type: string } } }
steps:
  - id: first
    use: helper
    with: { body: inputs.text }
  - id: define
    tool: lookup
    with: { word: inputs.text }
  - id: second
    for_each: inputs.tags
    as: tag
    prompt:
      system: >
        You summarize for {{ tag }}
        in one line.
      user: |
        Summarize {{ steps.first.output.summary }} and {{ inputs.text }}
        {{#each inputs.tags as t}}- {{ t }}{{/each}}
return: steps.second.output
tests:
  - name: basic
    input: { text: hello, tags: [a] }
    replies:
      second: ok
`;
