const { src, dest } = require('gulp');

/** Icons and codex files (*.node.json: categories, docs links) are not TypeScript: tsc does not copy them, so the build does. */
function buildIcons() {
	return src(['nodes/**/*.{png,svg}', 'nodes/**/*.node.json', 'credentials/**/*.{png,svg}'], { base: '.', encoding: false }).pipe(dest('dist'));
}

exports['build:icons'] = buildIcons;
