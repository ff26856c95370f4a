-- A fact another service reports (an assignment, an alert's status, an attempt's end, a
-- resolution) is one timeline line however often it is said: `fact` names it (its status and
-- detail) and is unique per incident, so a republish under a new event id adds nothing, even
-- when two copies are recorded at the same moment. Intake's own lines (reported, triaged,
-- republished, a message) have none. The status and the line are written in one statement
-- (`intake.db.progress.record`).
ALTER TABLE incident_timeline ADD COLUMN fact text;

-- Lines recorded before this column: the first of each fact is named.
UPDATE incident_timeline SET fact = md5(status || ':' || detail::text)
WHERE id IN (
    SELECT min(id) FROM incident_timeline
    WHERE status IN ('assigned', 'supervisor_notice', 'waiting_for_officer', 'resolved')
       OR status LIKE 'alert\_%' OR status LIKE 'assignment\_%'
    GROUP BY incident_id, status, detail
);

CREATE UNIQUE INDEX incident_timeline_facts ON incident_timeline (incident_id, fact)
    WHERE fact IS NOT NULL;
