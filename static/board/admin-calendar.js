'use strict';
// The admin date picker's heading in the language's own order: Django's calendar.js writes
// "<month> <year>", which reads "11월 2026" in Korean; the catalogue gives "2026년 11월".
// Loaded with defer after calendar.js (which a page without date fields does not load).
{
    const calendar = window.CalendarNamespace;
    if (calendar && window.interpolate && window.gettext) {
        const draw = calendar.draw;
        calendar.draw = function(month, year, divId, callback, selected) {
            draw.call(this, month, year, divId, callback, selected);
            const caption = document.querySelector(`#${divId} caption`);
            if (caption) {
                caption.textContent = interpolate(
                    gettext('%(month)s %(year)s'),
                    {month: calendar.monthsOfYear[month - 1], year: year},
                    true
                );
            }
        };
    }
}
