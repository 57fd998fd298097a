DROP TABLE schedule_notices;
DROP TABLE agenda_feeds;
DROP TABLE bookings;
