const { src, dest } = require('gulp');

/** Icons are not TypeScript: tsc does not copy them, so the build does. */
function buildIcons() {
	return src(['nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}'], { base: '.', encoding: false }).pipe(dest('dist'));
}

exports['build:icons'] = buildIcons;
