/** @type {import('tailwindcss').Config} */
// Severity and device colours come from the same file as the graph stylesheet (lib/graph/palette.json).
const palette = require('./lib/graph/palette.json');

module.exports = {
  content: ['./app/**/*.{ts,tsx}', './components/**/*.{ts,tsx}'],
  darkMode: 'class',
  theme: {
    extend: {
      colors: {
        sev: palette.severity,
        dev: palette.kind,
        trace: palette.trace,
        diff: palette.diff,
      },
    },
  },
  plugins: [],
};
