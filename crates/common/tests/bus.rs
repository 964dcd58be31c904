//! The bus fans out to every subscriber and isolates a slow one.

use hikari_common::bus::{BusBuilder, SubscriberStats};

#[tokio::test]
async fn every_subscriber_gets_every_event_in_order() {
    let mut bus = BusBuilder::new();
    let mut a = bus.subscribe("a", 8);
    let mut b = bus.subscribe("b", 8);
    let publisher = bus.build();
    for i in 0..5 {
        publisher.publish(i);
    }
    for rx in [&mut a, &mut b] {
        let mut got = Vec::new();
        for _ in 0..5 {
            got.push(rx.recv().await.expect("event"));
        }
        assert_eq!(got, vec![0, 1, 2, 3, 4]);
    }
}

#[tokio::test]
async fn a_slow_subscriber_loses_only_its_own_events_and_they_are_counted() {
    let mut bus = BusBuilder::new();
    let mut slow = bus.subscribe("slow", 2);
    let mut fast = bus.subscribe("fast", 100);
    let publisher = bus.build();
    for i in 0..10u32 {
        publisher.publish(i);
        // The fast subscriber keeps up.
        assert_eq!(fast.recv().await, Some(i));
    }
    assert_eq!(
        publisher.stats(),
        vec![SubscriberStats { name: "slow", delivered: 2, dropped: 8 }, SubscriberStats { name: "fast", delivered: 10, dropped: 0 }]
    );
    // The slow one holds the oldest two, in order, and nothing more.
    assert_eq!(slow.recv().await, Some(0));
    assert_eq!(slow.recv().await, Some(1));
    assert!(slow.try_recv().is_err());
}

#[test]
fn publishing_after_a_subscriber_left_is_harmless() {
    let mut bus = BusBuilder::new();
    drop(bus.subscribe("gone", 1));
    let mut kept = bus.subscribe("kept", 4);
    let publisher = bus.build();
    publisher.publish("x");
    assert_eq!(kept.try_recv().ok(), Some("x"));
    assert_eq!(publisher.stats()[0].dropped, 0);
}

#[test]
fn a_subscriber_that_wants_some_events_never_loses_them_to_a_flood_of_others() {
    let mut bus = BusBuilder::new();
    let mut rooms = bus.subscribe_where("rooms", 4, |e: &(bool, u32)| e.0);
    let mut all = bus.subscribe("all", 4);
    let publisher = bus.build();
    for i in 0..1000 {
        publisher.publish((false, i)); // the flood: funnel events, say
    }
    publisher.publish((true, 7));
    assert_eq!(rooms.try_recv().ok(), Some((true, 7)), "the wanted event found room");
    assert!(rooms.try_recv().is_err());
    assert_eq!(all.try_recv().ok(), Some((false, 0)));
    let stats = publisher.stats();
    assert_eq!(stats[0], SubscriberStats { name: "rooms", delivered: 1, dropped: 0 });
    assert_eq!((stats[1].delivered, stats[1].dropped), (4, 997));
}
