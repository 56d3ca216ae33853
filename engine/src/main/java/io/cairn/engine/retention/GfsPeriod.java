package io.cairn.engine.retention;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.util.Locale;

/**
 * The calendar periods of the long-term (grandfather-father-son) rules, always in UTC so that a repository gives
 * the same answer on every machine. Weeks are ISO-8601 weeks: Monday to Sunday, week 1 is the week with the
 * year's first Thursday, so 2026-12-31 (a Thursday) is in 2026-W53 and 2027-01-01..03 are too.
 */
enum GfsPeriod {
    WEEKLY("weekly") {
        @Override
        String key(final ZonedDateTime t) {
            return String.format(Locale.ROOT, "%04d-W%02d", t.get(IsoFields.WEEK_BASED_YEAR),
                    t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
        }
    },
    MONTHLY("monthly") {
        @Override
        String key(final ZonedDateTime t) {
            return String.format(Locale.ROOT, "%04d-%02d", t.getYear(), t.getMonthValue());
        }
    },
    YEARLY("yearly") {
        @Override
        String key(final ZonedDateTime t) {
            return String.format(Locale.ROOT, "%04d", t.getYear());
        }
    };

    private final String ruleName;

    GfsPeriod(final String ruleName) {
        this.ruleName = ruleName;
    }

    /** The rule's name in reasons and policy descriptions. */
    String ruleName() {
        return ruleName;
    }

    /** The period that contains the instant, e.g. {@code 2026-W47}, {@code 2026-11}, {@code 2026} (UTC). */
    String keyOf(final Instant created) {
        return key(created.atZone(ZoneOffset.UTC));
    }

    abstract String key(ZonedDateTime utc);
}
